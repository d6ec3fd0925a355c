"""The traveller's rewards page."""
urlpatterns = []
