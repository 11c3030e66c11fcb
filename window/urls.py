from django.urls import path

from . import views

app_name = "window"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<str:tracking>/", views.case_detail, name="case"),
    path("cases/<str:tracking>/<str:action>/", views.case_action, name="case-action"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("follow-ups/", views.follow_ups, name="follow-ups"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="follow-up-close"),
    path("handoff/", views.handoff, name="handoff"),
    path("results/<str:token>/", views.results, name="results"),
    path("results/<str:token>/<int:pk>/", views.result_file, name="result-file"),
    path("rate/", views.rate, name="rate"),
]
