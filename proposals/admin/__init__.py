"""The proposals app's admin: proposals (with bulk actions, import and data quality),
sources and topic tags. Importing this package registers them."""

from .links import ProposalTopicAdmin, SourceAdmin
from .proposal import ProposalAdmin

__all__ = ["ProposalAdmin", "ProposalTopicAdmin", "SourceAdmin"]
