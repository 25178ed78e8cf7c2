from django.urls import path

from . import views, views_invitation

app_name = "portal"
urlpatterns = [
    path("invitation/<str:token>/", views_invitation.invitation_view, name="invitation"),
    # The office's Team section of a file
    path("clients/<uuid:client_id>/access/", views.team_invite_view, name="team_invite"),
    path("clients/<uuid:client_id>/access/resend/", views.team_resend_view, name="team_resend"),
    path("clients/<uuid:client_id>/access/revoke/", views.team_revoke_view, name="team_revoke"),
    path("clients/<uuid:client_id>/overview.pdf", views.overview_pdf_view, name="overview_pdf"),
    path("office/letters/client-access/<str:lang>/", views.letter_template_view, name="letter_template"),
    # The client's portal
    path("portal/", views.portal_home_view, name="home"),
    path("portal/file.pdf", views.portal_pdf_view, name="pdf"),
    path("portal/language/", views.portal_language_view, name="language"),
    path("portal/mandate/", views.portal_mandate_view, name="mandate"),
]
