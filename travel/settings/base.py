"""Settings read from the environment.

With nothing set, the project runs embedded: SQLite, an in-process cache and Celery tasks
executed in-process, so one command gives a working site. Setting DATABASE_URL, REDIS_URL
and CELERY_BROKER_URL switches each part to the real service (the full-stack mode).
"""
from datetime import timedelta
from pathlib import Path

import environ
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us (/api/docs/ uses no CDN)
    "django_celery_beat",
    "axes",  # sign-in lockouts (travel/lockout.py, docs/security.md)
    # Our apps, lowest layer first: a lower app never imports a higher one (docs/architecture.md).
    "core.apps.CoreConfig",
    "catalogue.apps.CatalogueConfig",
    "inventory",
    "bookings.payments.apps.PaymentsConfig",
    "bookings",
    "rewards",
    "reviews",
    "channels.apps.ChannelsConfig",
    "travel.apps.TravelConfig",  # the public site; holds the history of the tables it used to own
]

MIDDLEWARE = [
    "core.middleware.RequestId",  # an id per request, in the logs and the X-Request-ID answer
    "core.middleware.CountRequests",  # requests by view and status for /metrics
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RefuseNulBytes",  # a NUL in the URL is a 400 before any view or query sees it
    "core.middleware.AnswerUnavailable",  # database down (or a fail-closed refusal): 503 + Retry-After
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.RequestLog",  # request_started / request_finished log lines (django-structlog)
    "django.contrib.messages.middleware.MessageMiddleware",
    "travel.dates.DateFormatMiddleware",  # dates in the visitor's format (travel/dates.py)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "travel.urls"
WSGI_APPLICATION = "travel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "travel.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A connection that broke (the database restarted) is noticed at the next request and replaced:
# the site recovers by itself. A database that does not answer costs at most DB_CONNECT_TIMEOUT.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parallel test runs on one server (several developers, CI) need their own test database.
if env("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
USES_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if USES_POSTGRES:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3))
# A read replica for the catalogue (core/db_router.py): only when DATABASE_REPLICA_URL is set.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.CatalogueReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (and price locks, hot availability) --------------------------------------------
# Two aliases on the same Redis (docs/operations.md). "default" serves what the database or a
# supplier can answer again (pages, supplier offers, rates, feeds): while Redis is down every read
# is a miss and every write is dropped (django-redis IGNORE_EXCEPTIONS), so the site keeps
# answering from PostgreSQL and the suppliers. "locks" serves what is only correct with Redis
# (price locks): there Redis down is an error, and the caller refuses (fails closed). Short socket
# timeouts: a dead Redis costs milliseconds (refused) or at most these seconds (unreachable).
REDIS_URL = env("REDIS_URL", default="")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="travel")
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)


def _redis_cache(*, ignore_exceptions: bool) -> dict:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": REDIS_CONNECT_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "IGNORE_EXCEPTIONS": ignore_exceptions,
        },
    }


if REDIS_URL:
    CACHES = {
        "default": _redis_cache(ignore_exceptions=True),
        "locks": _redis_cache(ignore_exceptions=False),
    }
    # Not a traceback per cache call while Redis is down (thousands a minute): /readyz names the
    # outage, and the price locks and the hot availability cache log their own refusals.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    # One in-process store under both names (same LOCATION), as with one Redis.
    _embedded_cache = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "travel-embedded",
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }
    CACHES = {"default": _embedded_cache, "locks": dict(_embedded_cache)}

# Sessions live in PostgreSQL only: sign-in and every signed-in page keep working while Redis is
# down, and a Redis that comes back with old data can never revive a session signed out meanwhile.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Public pages: seconds a web process keeps an anonymous page in memory before asking the cache
# again (0 = off). Saves the Redis round trip on hot pages; adds at most this much staleness.
PAGE_MICROCACHE_SECONDS = env.float("PAGE_MICROCACHE_SECONDS", default=0)

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in the calling process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# RabbitMQ closes the channel of a consumer that holds a message unacknowledged longer than its
# consumer_timeout (30 min by default) and redelivers everything the channel held. With late
# acknowledgement a message is held while its task runs and, for a retry, until its countdown
# is due: so time limits and retry delays stay well under it (tests/core/test_dead_letters.py).
RABBITMQ_CONSUMER_TIMEOUT_SECONDS = env.int("RABBITMQ_CONSUMER_TIMEOUT_SECONDS", default=1800)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)  # SoftTimeLimitExceeded
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)  # the process is killed
# Workers and beat write a heartbeat every HEARTBEAT_SECONDS (core/heartbeat.py); /readyz says
# "not ready" when the newest one of either is older than HEARTBEAT_STALE_SECONDS.
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=15.0)
HEARTBEAT_STALE_SECONDS = env.float("HEARTBEAT_STALE_SECONDS", default=90.0)
# One beat at a time, however many machines run the Procfile: the database scheduler, ticking
# only while it holds a Redis lock that it renews (core/beat.py). Another beat is a hot standby
# and takes over within BEAT_LOCK_TTL_SECONDS of the holder's death.
CELERY_BEAT_SCHEDULER = "core.beat:SingleBeatScheduler"
BEAT_LOCK_TTL_SECONDS = env.float("BEAT_LOCK_TTL_SECONDS", default=30.0)
# Record each send's last_run_at in the database at once, so that a standby taking over knows
# what the last holder already sent (and does not send it again).
CELERY_BEAT_SYNC_EVERY = 1
# The database scheduler copies these into django-celery-beat's tables at start; staff can then
# see and tune them in the admin. Apps add their own periodic work here or in a data migration.
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "core.outbox_sweep", "schedule": 15.0},
    "outbox-prune": {"task": "core.outbox_prune", "schedule": 86400.0},
    "rewards-expire-points": {"task": "rewards.expire_points", "schedule": 3600.0},
    "google-feeds-regenerate": {"task": "travel.feeds_regenerate", "schedule": 900.0},
    "bookings-expire-unpaid": {"task": "bookings.expire_unpaid", "schedule": 60.0},
    "bookings-complete-stays": {"task": "bookings.complete_stays", "schedule": 3600.0},
    # Crypto invoices: submit stragglers, expire unpaid ones, poll open ones whose webhooks were lost.
    "payments-sweep": {"task": "payments.sweep_invoices", "schedule": 30.0},
    "inventory-channel-requests-sweep": {"task": "inventory.channel_requests_sweep", "schedule": 60.0},
    # Nights and rates up to INVENTORY_HORIZON_DAYS ahead of each hotel's today (idempotent).
    "inventory-horizon-roll": {"task": "inventory.horizon_roll", "schedule": 86400.0},
    # Work lost after commit: paid supplier bookings and pending crypto refunds with nothing queued.
    "bookings-requeue-stuck": {"task": "bookings.requeue_stuck", "schedule": 60.0},
    "payments-requeue-refunds": {"task": "payments.requeue_refunds", "schedule": 120.0},
    # Crypto refunds sent but not yet paid out: has the traveller claimed it, was it paid out?
    "payments-refresh-refund-claims": {"task": "payments.refresh_refund_claims", "schedule": 300.0},
    "money-check": {"task": "travel.money_check", "schedule": 86400.0},  # manage.py money_check, daily
}

# Outbox rows handed over longer ago than this are deleted daily (rows never handed over stay).
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
# How committed outbox rows reach the broker (core/relay.py): "thread" = one relay thread per
# process hands them over in batches, off the request path; "inline" = each row in the committing
# thread right after COMMIT. With no broker (the embedded mode: tasks run in-process) it is inline.
OUTBOX_RELAY = env("OUTBOX_RELAY", default="thread" if CELERY_BROKER_URL else "inline")
if OUTBOX_RELAY not in ("thread", "inline"):
    raise ValueError(f"OUTBOX_RELAY must be 'thread' or 'inline', not {OUTBOX_RELAY!r}")
OUTBOX_RELAY_BATCH = env.int("OUTBOX_RELAY_BATCH", default=200)  # ids per claim at most
# While commits keep coming, how long the relay waits after the first id for more before it claims:
# they share one claim transaction (docs/performance.md, section 8). After a quiet spell, no wait.
OUTBOX_RELAY_LINGER_SECONDS = env.float("OUTBOX_RELAY_LINGER_MS", default=25.0) / 1000
OUTBOX_RELAY_IDLE_SECONDS = 0.5  # idle this long, the relay gives its database connection back
OUTBOX_RELAY_EXIT_SECONDS = 2.0  # at exit, how long the relay may take to hand over its queue

DEAD_LETTER_EXCHANGE = "travel.dead-letter"
DEAD_LETTER_QUEUE = "dead-letter"
# The dead-letter queue is bounded: at most this many messages; past it the OLDEST is dropped
# (drop-head). Every dead letter is also a FailedTask row (task name, args, kwargs, error) that
# staff list and re-drive (``manage.py dead_letters``), so the queue is the broker-side copy and
# losing its oldest entries loses no information, while refusing new ones (reject-publish) would
# drop exactly the newest failures and an unbounded queue could fill the broker's disk.
DEAD_LETTER_MAX_LENGTH = env.int("DEAD_LETTER_MAX_LENGTH", default=50_000)
DEAD_LETTER_QUEUE_ARGUMENTS = {"x-max-length": DEAD_LETTER_MAX_LENGTH, "x-overflow": "drop-head"}
TASK_QUEUES = ("default", "inventory", "suppliers", "payments", "channels", "channels.push", "channels.batch")
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [
    Queue(
        name,
        Exchange(name, type="direct"),
        routing_key=name,
        queue_arguments={"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE},
    )
    for name in TASK_QUEUES
] + [Queue(DEAD_LETTER_QUEUE, Exchange(DEAD_LETTER_EXCHANGE, type="fanout"), routing_key="#",
           queue_arguments=DEAD_LETTER_QUEUE_ARGUMENTS)]
# Channel reservation requests: hash-sharded queues, one single-threaded consumer each
# (inventory/routing.py; Procfile "shard0".."shard3" processes: keep them in step). Each shard
# queue has RabbitMQ's single active consumer: a second consumer (the same Procfile on another
# machine) is a hot standby that gets nothing until the active one goes, so the order per
# room-night holds. Changing a queue's arguments is refused by RabbitMQ: docs/scaling.md says how
# to move a deployed vhost over. Off only in the tests' negative control.
# How far ahead every room type has nights and rates (inventory/services/horizon.py).
INVENTORY_HORIZON_DAYS = env.int("INVENTORY_HORIZON_DAYS", default=365)
INVENTORY_SHARDS = env.int("INVENTORY_SHARDS", default=4)
INVENTORY_SHARD_QUEUES = tuple(f"inventory.shard.{n}" for n in range(INVENTORY_SHARDS))
INVENTORY_SHARD_SINGLE_ACTIVE_CONSUMER = env.bool("INVENTORY_SHARD_SINGLE_ACTIVE_CONSUMER", default=True)
INVENTORY_SHARD_QUEUE_ARGUMENTS = {"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE}
if INVENTORY_SHARD_SINGLE_ACTIVE_CONSUMER:
    INVENTORY_SHARD_QUEUE_ARGUMENTS["x-single-active-consumer"] = True
CELERY_TASK_QUEUES += [
    Queue(name, Exchange("inventory.shards", type="direct"), routing_key=name,
          queue_arguments=INVENTORY_SHARD_QUEUE_ARGUMENTS)
    for name in INVENTORY_SHARD_QUEUES
]
# Task names start with the queue they belong on: "payments.confirm_invoice" → payments.
CELERY_TASK_ROUTES = {
    "inventory.*": {"queue": "inventory"},
    "payments.*": {"queue": "payments"},
    "suppliers.*": {"queue": "suppliers"},
    # Availability out on a queue (and worker) of its own, waiting on the network: the subscriber,
    # the flushes, the saga's steps and the single-date batch's tick (docs/channels.md).
    "channels.on_inventory_changed": {"queue": "channels.push"},
    "channels.flush": {"queue": "channels.push"},
    "channels.push_step": {"queue": "channels.push"},
    "channels.flush_batched": {"queue": "channels.push"},
    # Long channel work on a queue (and worker) of its own, so that it never holds up the quick
    # steps of a reservation or a push: pulls, reconciliations, resyncs.
    "channels.pull": {"queue": "channels.batch"},
    "channels.reconcile": {"queue": "channels.batch"},
    "channels.resync": {"queue": "channels.batch"},
    "channels.*": {"queue": "channels"},
}

# --- Outside parties (sandboxes on loopback unless set) ------------------------------------
# Empty means: start the shipped sandbox in-process on a free loopback port (embedded mode).
SUPPLIER_API_URL = env("SUPPLIER_API_URL", default="")
PAYMENT_API_URL = env("PAYMENT_API_URL", default="")
PAYMENT_API_KEY = env("PAYMENT_API_KEY", default="sandbox-api-key")
PAYMENT_WEBHOOK_SECRET = env("PAYMENT_WEBHOOK_SECRET", default="sandbox-webhook-secret")
RATES_API_URL = env("RATES_API_URL", default="")
# Crypto checkout (bookings.payments): where the processor sends webhooks, invoice timing, and
# whether the payment page offers the sandbox's "simulate payment" form.
PAYMENT_STORE_ID = env("PAYMENT_STORE_ID", default="sandbox-store")
PAYMENT_WEBHOOK_URL = env("PAYMENT_WEBHOOK_URL", default="")  # empty: SITE_URL + /webhooks/payments/
PAYMENT_WEBHOOK_MAX_AGE = env.int("PAYMENT_WEBHOOK_MAX_AGE", default=300)  # seconds; older is stale
PAYMENT_MONITORING_MINUTES = env.int("PAYMENT_MONITORING_MINUTES", default=60)
PAYMENT_RATE_CACHE_SECONDS = env.int("PAYMENT_RATE_CACHE_SECONDS", default=30)
# Per coin, how far under the amount due a payment may fall and still count as paid (network-fee
# dust), e.g. "BTC=0.00001,USDT-TRC20=0.01". Coins not named: exact. docs/payments.md.
PAYMENT_SHORTFALL_TOLERANCE = env.dict("PAYMENT_SHORTFALL_TOLERANCE", default={})
# Adapters whose URL is empty start the shipped sandbox in-process (sandboxes/embedded.py);
# production turns this off and refuses to start without the real URLs.
SANDBOXES_IN_PROCESS = True
# In the full-stack mode (DATABASE_URL or CELERY_BROKER_URL set) every process would start a
# sandbox of its own for an empty URL: the web would lock a price at one fake processor and the
# worker confirm it at another. So there the web, worker and beat processes refuse to start
# without SUPPLIER_API_URL, PAYMENT_API_URL, RATES_API_URL and OTA_API_URL (sandboxes/embedded.py),
# unless SANDBOXES_PER_PROCESS=1 says the process is alone on purpose (a one-off benchmark).
FULL_STACK = bool(env("DATABASE_URL", default="") or CELERY_BROKER_URL)
SANDBOXES_PER_PROCESS = env.bool("SANDBOXES_PER_PROCESS", default=not FULL_STACK)
PAYMENT_SANDBOX_CONTROLS = env.bool("PAYMENT_SANDBOX_CONTROLS", default=not PAYMENT_API_URL or DEBUG)
OUTSIDE_HTTP_TIMEOUT = env.float("OUTSIDE_HTTP_TIMEOUT", default=5.0)
# The OTAs (channels/adapters; docs/channel-apis.md). A channel's URL falls back to OTA_API_URL +
# "/<channel>" (one sandbox OTA speaking all five), and that to the sandbox OTA in-process.
OTA_API_URL = env("OTA_API_URL", default="")
CHANNEL_APIS = {
    "booking_com": {
        "url": env("CHANNEL_BOOKING_COM_URL", default=""),
        "user": env("CHANNEL_BOOKING_COM_USER", default="sandbox-bcom"),
        "password": env("CHANNEL_BOOKING_COM_PASSWORD", default="sandbox-bcom-pass"),
        "webhook_secret": env("CHANNEL_BOOKING_COM_WEBHOOK_SECRET", default="sandbox-booking_com-webhook-secret"),
    },
    "expedia": {
        "url": env("CHANNEL_EXPEDIA_URL", default=""),
        "user": env("CHANNEL_EXPEDIA_USER", default="sandbox-expedia"),
        "password": env("CHANNEL_EXPEDIA_PASSWORD", default="sandbox-expedia-pass"),
        "webhook_secret": env("CHANNEL_EXPEDIA_WEBHOOK_SECRET", default="sandbox-expedia-webhook-secret"),
    },
    "agoda": {
        "url": env("CHANNEL_AGODA_URL", default=""),
        "api_key": env("CHANNEL_AGODA_API_KEY", default="sandbox-agoda-key"),
        "webhook_secret": env("CHANNEL_AGODA_WEBHOOK_SECRET", default="sandbox-agoda-webhook-secret"),
    },
    "traveloka": {
        "url": env("CHANNEL_TRAVELOKA_URL", default=""),
        "token": env("CHANNEL_TRAVELOKA_TOKEN", default="sandbox-traveloka-token"),
    },
    "trip_com": {
        "url": env("CHANNEL_TRIP_COM_URL", default=""),
        "key": env("CHANNEL_TRIP_COM_KEY", default="sandbox-trip"),
        "secret": env("CHANNEL_TRIP_COM_SECRET", default="sandbox-trip-secret"),
    },
}
# The OTAs this deployment sells on: production refuses to start without their real URLs and credentials.
CHANNELS_ENABLED = env.list("CHANNELS_ENABLED", default=list(CHANNEL_APIS))
CHANNEL_WEBHOOK_MAX_AGE = env.int("CHANNEL_WEBHOOK_MAX_AGE", default=300)  # seconds either side of now
CHANNEL_POLL_SECONDS = env.float("CHANNEL_POLL_SECONDS", default=60.0)  # polled channels (and the webhook safety net)
CHANNEL_HTTP_TIMEOUT = env.float("CHANNEL_HTTP_TIMEOUT", default=5.0)
# Calls per second each OTA allows us (shared by every process through Redis: channels/limiter.py).
CHANNEL_RATE_LIMITS = {
    "booking_com": env.int("CHANNEL_BOOKING_COM_RATE_LIMIT", default=20),
    "expedia": env.int("CHANNEL_EXPEDIA_RATE_LIMIT", default=10),
    "agoda": env.int("CHANNEL_AGODA_RATE_LIMIT", default=20),
    "traveloka": env.int("CHANNEL_TRAVELOKA_RATE_LIMIT", default=10),
    "trip_com": env.int("CHANNEL_TRIP_COM_RATE_LIMIT", default=10),
}
# Pushing availability out (docs/channels.md): bulk channels get a quiet listing's first change at
# once and what comes while a push is in flight with the next one (an optional window delays the
# first: CHANNEL_PUSH_COALESCE_MS); single-date channels get a batch shown within
# CHANNEL_PUSH_BATCH_SECONDS of its first change (its due time checked every tick); the saga's
# retry delays before a dirty mark.
CHANNEL_PUSH_COALESCE_MS = env.int("CHANNEL_PUSH_COALESCE_MS", default=0)
CHANNEL_PUSH_BATCH_SECONDS = env.float("CHANNEL_PUSH_BATCH_SECONDS", default=30.0)
CHANNEL_PUSH_BATCH_TICK_SECONDS = env.float("CHANNEL_PUSH_BATCH_TICK_SECONDS", default=1.0)
CHANNEL_AGODA_PUSH_PARALLEL = env.int("CHANNEL_AGODA_PUSH_PARALLEL", default=6)  # single-date calls in flight
# The batch is taken by celery beat; the embedded mode has none, so there it is pushed at once.
CHANNEL_PUSH_BATCHED_BY_BEAT = bool(CELERY_BROKER_URL)
CHANNEL_PUSH_RETRY_DELAYS = [float(s) for s in env.list("CHANNEL_PUSH_RETRY_DELAYS", default=["5", "15", "45"])]
CHANNEL_RECONCILE_SECONDS = env.float("CHANNEL_RECONCILE_SECONDS", default=900.0)
CELERY_BEAT_SCHEDULE["channels-pull"] = {"task": "channels.pull_all", "schedule": CHANNEL_POLL_SECONDS}
CELERY_BEAT_SCHEDULE["channels-push-batched"] = {"task": "channels.flush_batched",
                                                 "schedule": CHANNEL_PUSH_BATCH_TICK_SECONDS}
CELERY_BEAT_SCHEDULE["channels-reconcile"] = {"task": "channels.reconcile_all", "schedule": CHANNEL_RECONCILE_SECONDS}
# The admin's "receive a test reservation" and the demo's channel traffic drive the sandbox OTA.
CHANNEL_SANDBOX_CONTROLS = env.bool("CHANNEL_SANDBOX_CONTROLS", default=not OTA_API_URL or DEBUG)
# Supplier offers (suppliers): cache TTL per kind, 5 to 15 minutes; a search waits at most
# SUPPLIER_SEARCH_TIMEOUT for the supplier; a failed call is not retried for SUPPLIER_ERROR_TTL s.
SUPPLIER_CACHE_TTL = {
    "hotel": env.int("SUPPLIER_CACHE_TTL_HOTEL", default=600),
    "flight": env.int("SUPPLIER_CACHE_TTL_FLIGHT", default=300),
    "activity": env.int("SUPPLIER_CACHE_TTL_ACTIVITY", default=900),
}
if not all(300 <= ttl <= 900 for ttl in SUPPLIER_CACHE_TTL.values()):
    raise ValueError(f"SUPPLIER_CACHE_TTL_* must be between 300 and 900 seconds, got {SUPPLIER_CACHE_TTL}")
SUPPLIER_SEARCH_TIMEOUT = env.float("SUPPLIER_SEARCH_TIMEOUT", default=3.0)
SUPPLIER_ERROR_TTL = env.int("SUPPLIER_ERROR_TTL", default=5)
SUPPLIER_CACHE_STAMPEDE_LOCK = True  # False only in the tests' negative control

# --- Rewards (loyalty points; docs/rewards.md) ------------------------------------------------
REWARDS_POINT_VALUE = env("REWARDS_POINT_VALUE", default="0.01")  # fiat per point, booking currency
REWARDS_REDEMPTION_CAP_PERCENT = env("REWARDS_REDEMPTION_CAP_PERCENT", default="50")
REWARDS_EXPIRY_DAYS = env.int("REWARDS_EXPIRY_DAYS", default=365)
REWARDS_TIER_WINDOW_DAYS = 365
REWARDS_TIERS = [  # trailing 12-month completed spend -> share of the fiat paid returned as points
    {"code": "explorer", "name": "Explorer", "min_spend": "0", "earn_percent": "1"},
    {"code": "silver", "name": "Silver", "min_spend": "1000", "earn_percent": "3"},
    {"code": "gold", "name": "Gold", "min_spend": "5000", "earn_percent": "5"},
    {"code": "platinum", "name": "Platinum", "min_spend": "15000", "earn_percent": "10"},
]
# --- Bookings -------------------------------------------------------------------------------
# First retry delay in seconds (doubled each retry, jittered) and supplier confirmation tries.
BOOKINGS_RETRY_BACKOFF = env.float("BOOKINGS_RETRY_BACKOFF", default=2.0)
BOOKINGS_SUPPLIER_MAX_RETRIES = env.int("BOOKINGS_SUPPLIER_MAX_RETRIES", default=6)
# Create the invoice at the processor right after placing (the answer then carries the address);
# off: only payments' own task does it, and the payment page shows the address when it is ready.
BOOKINGS_SUBMIT_INVOICE_INLINE = env.bool("BOOKINGS_SUBMIT_INVOICE_INLINE", default=False)

# --- Abuse: sign-in lockouts, holding caps, outbound allow-list (docs/security.md) -----------
# Proxies in front of the site that append to X-Forwarded-For; 0: the TCP peer is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# django-axes: an account, and separately a client address, is locked out after this many
# failed sign-ins in a row, for the cool-off time; failures are rows in the database.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "travel.lockout.SignInAttempts"  # the database handler; a success forgets its account's failures
AXES_RESET_ON_SUCCESS = False  # SignInAttempts does it, for the account only
AXES_LOCKOUT_CALLABLE = "travel.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.throttles.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # failures are what we count; successes need no row
AXES_VERBOSE = False
# What one traveller may hold at once (bookings/limits.py): unpaid bookings, the room-nights
# they hold, price locks still valid. 0 turns a cap off.
BOOKINGS_MAX_PENDING = env.int("BOOKINGS_MAX_PENDING", default=3)
BOOKINGS_MAX_PENDING_ROOM_NIGHTS = env.int("BOOKINGS_MAX_PENDING_ROOM_NIGHTS", default=30)
BOOKINGS_MAX_LIVE_LOCKS = env.int("BOOKINGS_MAX_LIVE_LOCKS", default=10)
# Outbound HTTP (core/outbound.py) goes only to the configured outside parties' hosts (their
# *_URL settings, the in-process sandboxes) and to these extra base URLs.
OUTBOUND_EXTRA_URLS = env.list("OUTBOUND_EXTRA_URLS", default=[])

# --- Auth, i18n, static -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout check first (it refuses a locked-out account or client before any password check).
AUTHENTICATION_BACKENDS = [
    "travel.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded photos and their renditions (catalogue/renditions.py) under MEDIA_ROOT, at MEDIA_URL.
# SERVE_MEDIA: the project answers MEDIA_URL itself (travel/views/media.py): the embedded mode and
# the tests. In production a web server, a CDN or object storage serves it (docs/site.md, "Pictures").
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Outgoing email (travellers' booking emails, staff notices). The console by default (the embedded
# mode prints them); EMAIL_URL configures any backend in one variable (smtp://user:pass@host:587,
# smtp+tls://..., smtp+ssl://..., filemail:///var/mail/travel, consolemail://), or EMAIL_HOST and
# its companions configure SMTP; EMAIL_BACKEND names any other (a provider's Django backend).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_HOST = env("EMAIL_HOST", default="")
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                        else "django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = EMAIL_HOST or "localhost"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587 if env.bool("EMAIL_USE_TLS", default=False) else 25)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="bookings@travel.example")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],  # a JSON API: other bodies are a 415
    # One mapping of errors to status codes and one error body: {"error": code, "detail": message}.
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Per client (the account, or the address when anonymous): 429 with Retry-After past the rate.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.ApiThrottle"],
    "DEFAULT_THROTTLE_RATES": {  # "N/s", "N/min", "N/hour" or "N/day"; empty: off
        "api": env("THROTTLE_API_RATE", default="300/min") or None,
        "price_lock": env("THROTTLE_PRICE_LOCK_RATE", default="20/min") or None,
        "placement": env("THROTTLE_PLACEMENT_RATE", default="10/min") or None,
    },
}
# The schema at /api/schema/, its docs page at /api/docs/ (Swagger UI from drf-spectacular-sidecar).
SPECTACULAR_SETTINGS = {
    "TITLE": "Travel platform API",
    "DESCRIPTION": "Price locks, bookings and cancellations. Errors answer {\"error\": code, \"detail\": message}.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logs and metrics (docs/observability.md) ---------------------------------------------------
# Structured logs (structlog): each line carries the request id, the booking reference where there
# is one, and in a worker the task; "console" is readable, "json" one object per line (production).
LOG_FORMAT = env("LOG_FORMAT", default="console")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {"()": "core.logging.console_formatter"},
        "json": {"()": "core.logging.json_formatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
# Workers log through the same handlers (not Celery's own format).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# django-structlog logs each request (request_started / request_finished) under the id that
# core.middleware.RequestId chose (a well-formed X-Request-ID from upstream, or a new one).
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
# /metrics: a scraper shows this bearer token, or scrapes from one of these networks (CIDR, by
# the connection's own address). Neither set: the page does not exist.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
