from django.urls import path

from . import feeds
from .exports import export_csv, export_json
from .views import compare, echo, home, outcomes, proposals, records, trends

app_name = "public"

urlpatterns = [
    path("", home.home, name="home"),
    path("proposals/", proposals.proposal_list, name="proposal-list"),
    path("proposals/export.csv", export_csv, name="export-csv"),
    path("proposals/export.json", export_json, name="export-json"),
    path("proposals/feed/rss/", feeds.LatestProposalsFeed(), name="feed-rss"),
    path("proposals/feed/atom/", feeds.LatestProposalsAtomFeed(), name="feed-atom"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal-detail"),
    path("delegates/", records.delegate_list, name="delegate-list"),
    path("delegates/<slug:slug>/", records.delegate_detail, name="delegate-detail"),
    path("delegates/<slug:slug>/feed/rss/", feeds.DelegateFeed(), name="delegate-feed-rss"),
    path("delegates/<slug:slug>/feed/atom/", feeds.DelegateAtomFeed(), name="delegate-feed-atom"),
    path("companies/", records.company_list, name="company-list"),
    path("companies/<slug:slug>/", records.company_detail, name="company-detail"),
    path("topics/", records.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", records.topic_detail, name="topic-detail"),
    path("topics/<slug:slug>/feed/rss/", feeds.TopicFeed(), name="topic-feed-rss"),
    path("topics/<slug:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic-feed-atom"),
    path("sessions/", records.session_list, name="session-list"),
    path("sessions/<int:year>/", records.session_detail, name="session-detail"),
    path("compare/", compare.compare, name="compare"),
    path("trends/", trends.trends_explorer, name="trends"),
    path("trends/topics.json", trends.trends_json, name="trends-json"),
    path("trends/topics.csv", trends.trends_csv, name="trends-csv"),
    path("trends/echo.json", echo.echo_json, name="echo-json"),
    path("trends/echo.csv", echo.echo_csv, name="echo-csv"),
    path("about/", echo.about, name="about"),
    path("outcomes/", outcomes.outcomes, name="outcomes"),
    path("outcomes/data.json", outcomes.outcomes_json, name="outcomes-json"),
]
