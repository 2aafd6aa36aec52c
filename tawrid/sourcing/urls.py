from django.urls import path

from tawrid.sourcing import line_orders_views, lots_views, results_views, views

app_name = "sourcing"

urlpatterns = [
    path("ocds/plans/<int:pk>.json", views.plan_release_package, name="ocds_plan_release_package"),
    path("ocds/plans/<int:pk>/record.json", views.plan_record_package, name="ocds_plan_record_package"),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("consultations/<int:pk>/publish/", views.consultation_publish, name="consultation_publish"),
    path("consultations/<int:pk>/lots/regroup/", lots_views.lots_regroup, name="lots_regroup"),
    path("consultations/lots/lines/<int:pk>/award/", lots_views.award_line, name="award_line"),
    path("consultations/<int:pk>/cancel/", views.consultation_cancel, name="consultation_cancel"),
    path("consultations/<int:pk>/questions/", views.question_ask, name="question_ask"),
    path("consultations/<int:pk>/lots/<int:lot_pk>/offer/", views.offer_page, name="offer_page"),
    path("consultations/questions/<int:pk>/answer/", views.question_answer, name="question_answer"),
    path("consultations/<int:pk>/opening/request/", views.opening_request, name="opening_request"),
    path("consultations/<int:pk>/opening/confirm/", views.opening_confirm, name="opening_confirm"),
    path("consultations/<int:pk>/evaluate/", views.consultation_evaluate, name="consultation_evaluate"),
    path("consultations/<int:pk>/evaluation/", views.evaluation_report, name="evaluation_report"),
    path("consultations/lots/<int:pk>/award/", views.award_make, name="award_make"),
    path("consultations/awards/<int:pk>/cancel/", views.award_cancel, name="award_cancel"),
    path("consultations/awards/<int:pk>/order/", views.order_create, name="order_create"),
    path(
        "consultations/lots/<int:pk>/suppliers/<int:supplier_pk>/order/",
        line_orders_views.order_lines_create,
        name="order_lines_create",
    ),
    path("orders/", views.order_list, name="order_list"),
    path("orders/direct/", views.order_direct, name="order_direct"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("purchase-rates/", views.purchase_rates, name="purchase_rates"),
    path("consultations/offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("consultations/offers/<int:pk>/receipt/", results_views.offer_receipt, name="offer_receipt"),
    path("consultations/offers/<int:pk>/review/", results_views.review_request, name="review_request"),
    path("consultations/reviews/<int:pk>/answer/", results_views.review_answer, name="review_answer"),
]
