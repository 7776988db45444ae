from django.urls import path

from deficits import views

urlpatterns = [
    path("", views.my_diagnostics, name="my-diagnostics"),
    path("start/", views.diagnostic_start, name="diagnostic-start"),
    path("results/", views.results, name="diagnostic-results"),
    path("link/<str:token>/", views.personal_link, name="diagnostic-link"),
    path("link/<str:token>/page/<int:page>/", views.personal_link_fill, name="diagnostic-link-fill"),
    path("link/<str:token>/result/", views.personal_link_result, name="diagnostic-link-result"),
    path("<int:pk>/", views.diagnostic_detail, name="diagnostic-detail"),
    path("<int:pk>/page/<int:page>/", views.diagnostic_fill, name="diagnostic-fill"),
]
