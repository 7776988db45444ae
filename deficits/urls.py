from django.urls import path

from deficits import views

urlpatterns = [
    path("", views.my_diagnostics, name="my-diagnostics"),
    path("start/", views.diagnostic_start, name="diagnostic-start"),
    path("results/", views.results, name="diagnostic-results"),
    path("link/<str:token>/", views.personal_link, name="diagnostic-link"),
    path("<int:pk>/", views.diagnostic_detail, name="diagnostic-detail"),
    path("<int:pk>/page/<int:page>/", views.diagnostic_fill, name="diagnostic-fill"),
]
