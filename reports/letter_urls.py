"""URLs of the letters' pages (reports.letter_views)."""

from django.urls import path

from reports import letter_views as views
from reports import meeting_views

urlpatterns = [
    path("letters/", views.letter_list, name="letter-list"),
    path("letters/meetings/", meeting_views.meeting_list, name="meeting-list"),
    path("letters/meetings/<int:pk>/delete/", meeting_views.meeting_delete, name="meeting-delete"),
    path("letters/meetings/<int:pk>/protocol/", meeting_views.meeting_protocol, name="meeting-protocol"),
    path("letters/new/", views.letter_new, name="letter-new"),
    path("letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/edit/", views.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/items/<int:item_pk>/move/", views.letter_move, name="letter-move"),
    path("letters/<int:pk>/approve/", views.letter_approve, name="letter-approve"),
    path("letters/<int:pk>/reopen/", views.letter_reopen, name="letter-reopen"),
    path("letters/<int:pk>/issue/", views.letter_issue, name="letter-issue"),
    path("letters/<int:pk>/correct/", views.letter_correct, name="letter-correct"),
    path("letters/<int:pk>/read/", views.letter_read, name="letter-read"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter-pdf"),
]
