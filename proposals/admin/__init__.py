"""The proposals app's admin: proposals (with bulk actions, import and data quality),
sources, topic tags and outcome events. Importing this package registers them."""

from .links import ProposalTopicAdmin, SourceAdmin
from .outcomes import OutcomeEventAdmin
from .proposal import ProposalAdmin

__all__ = ["OutcomeEventAdmin", "ProposalAdmin", "ProposalTopicAdmin", "SourceAdmin"]
