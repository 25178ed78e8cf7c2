from django.urls import path

from . import views_invitation

app_name = "portal"
urlpatterns = [
    path("invitation/<str:token>/", views_invitation.invitation_view, name="invitation"),
]
