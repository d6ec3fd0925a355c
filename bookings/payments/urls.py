"""Payment pages and the processor's webhook."""
urlpatterns = []
