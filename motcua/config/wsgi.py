import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")

from motcua.core.body_limit import limit_chunked_bodies

application = limit_chunked_bodies(get_wsgi_application())
