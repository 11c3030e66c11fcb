from django.urls import path

from . import views, webhooks

app_name = "intake"

urlpatterns = [
    path("apply/<str:theme_code>/", views.apply, name="apply"),
    path("applications/<str:tracking>/", views.receipt, name="receipt"),
    path("applications/<str:tracking>/receipt.pdf", views.receipt_pdf, name="receipt-pdf"),
    path("applications/<str:tracking>/correct/", views.correct, name="correct"),
    path("progress/", views.progress, name="progress"),
    path("files/<uuid:key>/", views.download, name="download"),
    path("drafts/", views.drafts, name="drafts"),
    path("drafts/<int:pk>/delete/", views.draft_delete, name="draft-delete"),
    path("account/register/", views.register_view, name="register"),
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", views.logout_view, name="logout"),
    path("staff/<str:tracking>/", views.staff_detail, name="staff-detail"),
    path("webhook/", webhooks.webhook, name="webhook"),
]
