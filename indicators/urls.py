from django.urls import path

from indicators import builder, views

urlpatterns = [
    path("indicators/", views.overview, name="indicator-overview"),
    path("indicators/compute/", views.compute, name="indicator-compute"),
    path("indicators/runs/<int:pk>/", views.run_status, name="indicator-run"),
    path("indicators/directions/<int:number>/", views.direction, name="indicator-direction"),
    # The builder (institute staff), before the indicator pages: «builder» is not a code there.
    path("indicators/builder/", builder.index, name="indicator-builder"),
    path("indicators/builder/new/", builder.new, name="indicator-builder-new"),
    path("indicators/builder/preview/", builder.preview, name="indicator-builder-preview"),
    path("indicators/builder/import/", builder.upload, name="indicator-builder-import"),
    path("indicators/builder/catalogs/<str:slug>/export/", builder.export, name="indicator-builder-export"),
    path("indicators/builder/catalogs/<str:slug>/adopt/", builder.adopt, name="indicator-builder-adopt"),
    path("indicators/builder/edit/<str:code>/", builder.edit, name="indicator-builder-edit"),
    path("indicators/builder/edit/<str:code>/remove/", builder.remove, name="indicator-builder-remove"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator-detail"),
]
