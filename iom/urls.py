from django.urls import path

from iom import curator_views, views

urlpatterns = [
    path("routes/", views.route_list, name="route-list"),
    path("routes/new/<int:diagnostic_pk>/", views.route_build, name="route-build"),
    path("routes/<int:pk>/", views.route_detail, name="route-detail"),
    path("routes/<int:pk>/submit/", views.route_submit, name="route-submit"),
    path("routes/<int:pk>/review/", views.route_review, name="route-review"),
    path("routes/<int:pk>/reflection/", views.route_reflect, name="route-reflect"),
    path("routes/<int:pk>/correct/", views.route_correct, name="route-correct"),
    path("routes/<int:pk>/activities/", views.activity_add, name="activity-add"),
    path("routes/activities/<int:pk>/remove/", views.activity_remove, name="activity-remove"),
    path("routes/activities/<int:pk>/mark/", views.activity_mark, name="activity-mark"),
    path("routes/<int:pk>/comments/", curator_views.route_comment_add, name="route-comment-add"),
    path("curators/", curator_views.curator_list, name="curator-list"),
    path("curators/<int:pk>/", curator_views.curator_detail, name="curator-detail"),
    path("curators/<int:pk>/remove/", curator_views.curator_unassign, name="curator-unassign"),
    path("curator/routes/", curator_views.curator_routes, name="curator-routes"),
    path("programs/", views.program_list, name="program-list"),
    path("programs/stats/", views.program_stats, name="program-stats"),
    path("programs/<str:code>/", views.program_detail, name="program-detail"),
]
