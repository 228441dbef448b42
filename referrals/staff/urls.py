"""Staff pages of the referral inbox and the referrer pages (under /<lang>/staff/)."""

from django.urls import path

from referrals.staff import views

app_name = "referrals"
urlpatterns = [
    # The referrer's pages (the right to refer for an organisation).
    path("referrals/", views.sent, name="sent"),
    path("referrals/new/", views.new, name="new"),
    path("referrals/new/<int:site_id>/", views.new_for_site, name="new-for-site"),
    path("referrals/<int:referral_id>/", views.sent_detail, name="sent-detail"),
    # The site's inbox (the right to handle referrals at the site).
    path("sites/<int:site_id>/referrals/", views.inbox, name="inbox"),
    path("sites/<int:site_id>/referrals/<int:referral_id>/", views.referral, name="referral"),
]
