from django.urls import path

from indicators import views

urlpatterns = [
    path("indicators/", views.overview, name="indicator-overview"),
    path("indicators/compute/", views.compute, name="indicator-compute"),
    path("indicators/runs/<int:pk>/", views.run_status, name="indicator-run"),
    path("indicators/directions/<int:number>/", views.direction, name="indicator-direction"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator-detail"),
]
