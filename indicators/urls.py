from django.urls import path

from indicators import api

urlpatterns = [
    path("api/v1/indicator-values/", api.IndicatorValueList.as_view(), name="api-indicator-values"),
]
