from django.urls import path

from . import feeds, views
from .exports import export_csv, export_json

app_name = "proposals"

urlpatterns = [
    path("proposals/", views.proposal_list, name="proposal-list"),
    path("proposals/export.csv", export_csv, name="export-csv"),
    path("proposals/export.json", export_json, name="export-json"),
    path("proposals/feed/rss/", feeds.LatestProposalsFeed(), name="feed-rss"),
    path("proposals/feed/atom/", feeds.LatestProposalsAtomFeed(), name="feed-atom"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("delegates/", views.delegate_list, name="delegate-list"),
    path("delegates/<slug:slug>/", views.delegate_detail, name="delegate-detail"),
    path("delegates/<slug:slug>/feed/rss/", feeds.DelegateFeed(), name="delegate-feed-rss"),
    path("delegates/<slug:slug>/feed/atom/", feeds.DelegateAtomFeed(), name="delegate-feed-atom"),
    path("companies/", views.company_list, name="company-list"),
    path("companies/<slug:slug>/", views.company_detail, name="company-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("topics/<slug:slug>/feed/rss/", feeds.TopicFeed(), name="topic-feed-rss"),
    path("topics/<slug:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic-feed-atom"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<int:year>/", views.session_detail, name="session-detail"),
]
