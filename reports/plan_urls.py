"""Pages of the monitoring plan of a period (reports.plan_views)."""

from django.urls import path

from reports import plan_views as views

urlpatterns = [
    path("periods/<int:year>/plan/", views.plan_list, name="plan-list"),
    path("periods/<int:year>/plan/<int:pk>/", views.plan_item, name="plan-item"),
    path("periods/<int:year>/plan/<int:pk>/edit/", views.plan_item_edit, name="plan-item-edit"),
    path("periods/<int:year>/plan/<int:pk>/done/", views.plan_item_done, name="plan-item-done"),
]
