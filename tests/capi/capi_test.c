/* The C API from C: every case runs against the target named on the command line
 * ("embedded", or the gateway address in $MXGW_TARGET with the key in
 * $MXGW_CLIENT_KEY when run under tools/with-daemon.sh), with real workers.
 *
 *   capi_test CASE [embedded|remote]
 *
 * Exits 0 when every check of the case passed. Waits are bounded by deadlines. */
#define _POSIX_C_SOURCE 200809L

#include <mxgw/mxgw.h>

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                                                                \
  do {                                                                                                             \
    if (!(cond)) {                                                                                                 \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, mxgw_last_error()); \
      ++failures;                                                                                                  \
    }                                                                                                              \
  } while (0)

#define CHECK_CODE(expr, expected)                                                                                 \
  do {                                                                                                             \
    int got_ = (expr);                                                                                             \
    if (got_ != (expected)) {                                                                                      \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s); last error: %s\n", __FILE__, __LINE__, #expr, \
              got_, mxgw_strerror(got_), (expected), mxgw_strerror(expected), mxgw_last_error());                  \
      ++failures;                                                                                                  \
    }                                                                                                              \
  } while (0)

#define REQUIRE_OK(expr)                                                                                       \
  do {                                                                                                         \
    int got_ = (expr);                                                                                         \
    if (got_ != MXGW_OK) {                                                                                     \
      fprintf(stderr, "%s:%d: %s failed: %d (%s): %s\n", __FILE__, __LINE__, #expr, got_, mxgw_strerror(got_), \
              mxgw_last_error());                                                                              \
      exit(1);                                                                                                 \
    }                                                                                                          \
  } while (0)

static const int64_t kDeadlineNs = 20000000000LL; /* 20 s for anything to arrive */

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static const char* target;     /* "embedded" or a gateway address */
static const char* client_key; /* remote: $MXGW_CLIENT_KEY */

static mxgw_client* open_client(void) {
  mxgw_client_options options;
  mxgw_client* client = NULL;
  mxgw_client_options_init(&options);
  options.api_key = client_key;
  options.shards = 2;
  REQUIRE_OK(mxgw_client_open(target, &options, &client));
  CHECK(mxgw_client_is_embedded(client) == (strcmp(target, "embedded") == 0));
  return client;
}

/* A sim session of 10 tanks updating every 10 ms. */
static mxgw_session* open_sim_session(mxgw_client* client) {
  mxgw_backend_option backend_options[] = {{"rate_ms", "10"}, {"tags", "Tank:10"}};
  mxgw_session_options options;
  mxgw_session* session = NULL;
  mxgw_session_options_init(&options);
  options.name = "capi-test";
  options.backend = "sim";
  options.backend_options = backend_options;
  options.backend_option_count = 2;
  REQUIRE_OK(mxgw_session_open(client, &options, &session));
  CHECK(strncmp(mxgw_session_id(session), "session-", 8) == 0);
  return session;
}

/* Every code of the table, as the header lists it. */
#define NAMED_CODE(name, value, text) {MXGW_##name, "MXGW_" #name, text},
static const struct {
  int code;
  const char* name;
  const char* text;
} all_codes[] = {MXGW_ERROR_TABLE(NAMED_CODE)};
#undef NAMED_CODE

static void version_and_errors(void) {
  size_t i;
  int code, known;
  CHECK(mxgw_version() == MXGW_VERSION_HEX);
  CHECK(strcmp(mxgw_version_string(), MXGW_VERSION_STRING) == 0);
  /* Names and texts come from the one table; a code outside it has neither. */
  for (i = 0; i < sizeof all_codes / sizeof all_codes[0]; ++i) {
    CHECK(mxgw_err_name(all_codes[i].code) != NULL && strcmp(mxgw_err_name(all_codes[i].code), all_codes[i].name) == 0);
    CHECK(strcmp(mxgw_strerror(all_codes[i].code), all_codes[i].text) == 0);
  }
  CHECK(strcmp(mxgw_err_name(MXGW_E_NOT_FOUND), "MXGW_E_NOT_FOUND") == 0);
  CHECK(strcmp(mxgw_err_name(MXGW_E_WORKER_GONE), "MXGW_E_WORKER_GONE") == 0);
  for (code = -120; code <= 0; ++code) {
    known = mxgw_err_name(code) != NULL;
    CHECK(mxgw_strerror(code) != NULL && mxgw_strerror(code)[0] != '\0');
    CHECK(known == (strcmp(mxgw_strerror(code), "unknown error code") != 0));
  }
  CHECK(mxgw_err_name(-1000) == NULL);
  CHECK(strcmp(mxgw_strerror(-1000), "unknown error code") == 0);
}

/* The loaded library against the header: same major, its minor at least ours. */
static void version_check(void) {
  const uint32_t major = (uint32_t)MXGW_VERSION_MAJOR << 16, minor = (uint32_t)MXGW_VERSION_MINOR << 8;
  CHECK_CODE(MXGW_CHECK_VERSION(), MXGW_OK);
  CHECK_CODE(mxgw_check_version(major | minor | 0xff), MXGW_OK); /* a later patch adds nothing to the ABI */
  if (MXGW_VERSION_MINOR > 0) CHECK_CODE(mxgw_check_version(major | (minor - 0x100)), MXGW_OK);
  CHECK_CODE(mxgw_check_version(major | (minor + 0x100)), MXGW_E_INCOMPATIBLE_VERSION);
  CHECK(strstr(mxgw_last_error(), MXGW_VERSION_STRING) != NULL);
  CHECK_CODE(mxgw_check_version((major + 0x10000) | minor), MXGW_E_INCOMPATIBLE_VERSION);
  if (MXGW_VERSION_MAJOR > 0) CHECK_CODE(mxgw_check_version((major - 0x10000) | minor), MXGW_E_INCOMPATIBLE_VERSION);
}

static void bad_targets(void) {
  mxgw_client* client = (mxgw_client*)&failures; /* must be reset to NULL */
  mxgw_client_options options;
  mxgw_client_options_init(&options);
  options.api_key = "mxgw_nokey";
  options.connect_timeout_ms = 5000;
  CHECK_CODE(mxgw_client_open(NULL, &options, &client), MXGW_E_INVALID_ARGUMENT);
  CHECK(client == NULL);
  CHECK_CODE(mxgw_client_open("ftp://example", &options, &client), MXGW_E_INVALID_ARGUMENT);
  CHECK(strlen(mxgw_last_error()) > 0);
  CHECK_CODE(mxgw_client_open("tcp://127.0.0.1:99999", &options, &client), MXGW_E_INVALID_ARGUMENT);
  /* Port 1 on loopback: nobody listens there. */
  CHECK_CODE(mxgw_client_open("tcp://127.0.0.1:1", &options, &client), MXGW_E_CONNECT);
  CHECK_CODE(mxgw_client_open("unix:///nonexistent/mxgw.sock", &options, &client), MXGW_E_CONNECT);
  CHECK(client == NULL);
  /* NULL everywhere: an error code, never a crash. */
  CHECK_CODE(mxgw_client_close(NULL), MXGW_E_INVALID_ARGUMENT);
  mxgw_client_free(NULL);
  CHECK_CODE(mxgw_session_open(NULL, NULL, NULL), MXGW_E_INVALID_ARGUMENT);
  CHECK_CODE(mxgw_register(NULL, "x", NULL), MXGW_E_INVALID_ARGUMENT);
  CHECK_CODE(mxgw_poll(NULL, NULL, 0), MXGW_E_INVALID_ARGUMENT);
}

static void wrong_key(void) {
  mxgw_client* client = NULL;
  mxgw_client_options options;
  mxgw_client_options_init(&options);
  options.api_key = "mxgw_0000000000000000000000000000000000000000000000000000000000000000";
  CHECK_CODE(mxgw_client_open(target, &options, &client), MXGW_E_UNAUTHENTICATED);
  CHECK(client == NULL);
}

/* Reads events until `done` says so or the deadline passes; checks that sequence
 * numbers run on without a gap or a duplicate. */
typedef struct stream_check {
  mxgw_seq next_seq;
  int64_t data_changes;
  int64_t numeric_changes;
  uint64_t write_id_seen;
  double setpoint_seen;
  int32_t setpoint_handle;
  int write_complete_ok;
} stream_check;

static void read_batch(stream_check* check, const mxgw_batch* batch) {
  mxgw_cursor cursor;
  mxgw_event event;
  uint32_t numeric_index = 0;
  if (check->next_seq != 0) CHECK(batch->first_seq == check->next_seq);
  check->next_seq = batch->first_seq + batch->event_count;
  mxgw_cursor_init(&cursor, batch);
  while (mxgw_cursor_next(&cursor, &event)) {
    if (event.kind == MXGW_EVENT_DATA_CHANGE) {
      ++check->data_changes;
      CHECK(event.seq >= batch->first_seq && event.seq < batch->first_seq + batch->event_count);
      if (batch->numeric_count == batch->event_count) {
        /* All numeric: the in-place array is the batch, in order. */
        const mxgw_numeric_change* change = &batch->numeric[numeric_index++];
        CHECK(event.seq == batch->first_seq + numeric_index - 1);
        CHECK(change->item_handle == event.item_handle && change->quality == event.quality);
        ++check->numeric_changes;
      }
      if (event.item_handle == check->setpoint_handle && event.value.type == MXGW_TYPE_DOUBLE) {
        check->setpoint_seen = event.value.v.real64;
      }
    } else if (event.kind == MXGW_EVENT_WRITE_COMPLETE) {
      check->write_id_seen = event.write_id;
      check->write_complete_ok = event.status.success != 0;
    }
  }
}

/* Polls until pred(check) or the deadline; returns whether pred came true. */
static int poll_until(mxgw_subscription* sub, stream_check* check, int (*pred)(const stream_check*)) {
  mxgw_batch batches[32];
  const int64_t deadline = now_ns() + kDeadlineNs;
  while (!pred(check) && now_ns() < deadline) {
    int i, n = mxgw_poll(sub, batches, 32);
    if (n < 0) return 0;
    for (i = 0; i < n; ++i) read_batch(check, &batches[i]);
    mxgw_release(sub);
    if (n == 0) mxgw_wait(sub, 100);
  }
  return pred(check);
}

static int saw_many_changes(const stream_check* c) { return c->data_changes >= 200; }
static int saw_write(const stream_check* c) { return c->write_id_seen != 0 && c->setpoint_seen == 42.5; }

static void stream_and_commands(void) {
  const char* tanks[] = {"Tank_000.Level", "Tank_001.Level", "Tank_002.Temperature", "Tank_003.HighAlarm"};
  int32_t handles[4], errors[4], setpoint, unknown, server;
  uint64_t write_id = 0;
  stream_check check;
  mxgw_value value;
  mxgw_subscription* sub = NULL;
  mxgw_subscription* refused = NULL;
  mxgw_batch batch;
  int code, i;
  mxgw_client* client = open_client();
  mxgw_session* session = open_sim_session(client);
  memset(&check, 0, sizeof check);

  /* MXAccess order: nothing before Register. */
  CHECK_CODE(mxgw_add_item(session, 1, "Tank_000.Level", &unknown), MXGW_E_NOT_REGISTERED);
  REQUIRE_OK(mxgw_register(session, "capi-test", &server));
  CHECK_CODE(mxgw_add_item(session, server, "Nowhere_000.Level", &unknown), MXGW_E_UNKNOWN_TAG);
  CHECK(strlen(mxgw_last_error()) > 0);
  CHECK_CODE(mxgw_add_item(session, server + 1000, "Tank_000.Level", &unknown), MXGW_E_UNKNOWN_SERVER_HANDLE);

  REQUIRE_OK(mxgw_subscribe(session, NULL, &sub));
  REQUIRE_OK(mxgw_add_items(session, server, tanks, 4, handles, errors));
  for (i = 0; i < 4; ++i) CHECK(errors[i] == MXGW_OK);
  REQUIRE_OK(mxgw_advise_items(session, server, handles, 4, 0, errors));
  for (i = 0; i < 4; ++i) CHECK(errors[i] == MXGW_OK);
  CHECK(poll_until(sub, &check, saw_many_changes));
  CHECK(check.numeric_changes > 0);

  /* Writes: Advise first, the right type, a writable item. */
  REQUIRE_OK(mxgw_add_item(session, server, "Tank_000.Level.Setpoint", &setpoint));
  value = mxgw_value_double(42.5);
  CHECK_CODE(mxgw_write(session, server, setpoint, &value, 0, &write_id), MXGW_E_NOT_ADVISED);
  REQUIRE_OK(mxgw_advise(session, server, setpoint));
  value = mxgw_value_string("not a number");
  CHECK_CODE(mxgw_write(session, server, setpoint, &value, 0, &write_id), MXGW_E_TYPE_MISMATCH);
  value = mxgw_value_double(1.0);
  CHECK_CODE(mxgw_write(session, server, handles[0], &value, 0, &write_id), MXGW_E_READ_ONLY);
  CHECK_CODE(mxgw_write(session, server, setpoint, NULL, 0, &write_id), MXGW_E_INVALID_ARGUMENT);
  value = mxgw_value_double(42.5);
  check.setpoint_handle = setpoint;
  REQUIRE_OK(mxgw_write(session, server, setpoint, &value, 0, &write_id));
  CHECK(write_id != 0);
  CHECK(poll_until(sub, &check, saw_write));
  CHECK(check.write_id_seen == write_id && check.write_complete_ok);

  /* The session closes: the subscription ends cleanly, every handle then says so. */
  REQUIRE_OK(mxgw_session_close(session));
  do {
    code = mxgw_poll(sub, &batch, 1);
    if (code == 0) mxgw_wait(sub, 100);
  } while (code >= 0);
  CHECK_CODE(code, MXGW_E_ENDED);
  CHECK_CODE(mxgw_subscription_end_code(sub), MXGW_OK);
  CHECK_CODE(mxgw_session_close(session), MXGW_E_CLOSED);
  CHECK_CODE(mxgw_register(session, "again", &server), MXGW_E_CLOSED);
  CHECK_CODE(mxgw_subscribe(session, NULL, &refused), MXGW_E_CLOSED);
  CHECK(refused == NULL);
  mxgw_subscription_free(sub);
  mxgw_session_free(session);
  mxgw_client_free(client);
}

/* Callback mode: the library's thread delivers; the test waits on a counter. */
typedef struct counted {
  pthread_mutex_t mutex;
  pthread_cond_t grew;
  int64_t events;
  mxgw_seq next_seq;
  int out_of_order;
} counted;

static void count_batch(void* user, const mxgw_batch* batch) {
  counted* c = (counted*)user;
  pthread_mutex_lock(&c->mutex);
  if (c->next_seq != 0 && batch->first_seq != c->next_seq) c->out_of_order = 1;
  c->next_seq = batch->first_seq + batch->event_count;
  c->events += batch->event_count;
  pthread_cond_signal(&c->grew);
  pthread_mutex_unlock(&c->mutex);
}

/* Waits until the callbacks have counted `wanted` events, or the deadline. */
static int64_t await_events(counted* c, int64_t wanted) {
  int64_t n;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += kDeadlineNs / 1000000000LL;
  pthread_mutex_lock(&c->mutex);
  while (c->events < wanted && pthread_cond_timedwait(&c->grew, &c->mutex, &deadline) == 0) {
  }
  n = c->events;
  pthread_mutex_unlock(&c->mutex);
  return n;
}

static void callback_mode(void) {
  counted c;
  int32_t server, item;
  mxgw_subscription* sub = NULL;
  mxgw_subscribe_options options;
  mxgw_client* client = open_client();
  mxgw_session* session = open_sim_session(client);
  mxgw_subscribe_options_init(&options);
  memset(&c, 0, sizeof c);
  pthread_mutex_init(&c.mutex, NULL);
  pthread_cond_init(&c.grew, NULL);
  CHECK_CODE(mxgw_subscribe_callback(session, &options, NULL, NULL, NULL, &sub), MXGW_E_INVALID_ARGUMENT);
  REQUIRE_OK(mxgw_subscribe_callback(session, &options, count_batch, NULL, &c, &sub));
  REQUIRE_OK(mxgw_register(session, "callbacks", &server));
  REQUIRE_OK(mxgw_add_item(session, server, "Tank_005.Level", &item));
  REQUIRE_OK(mxgw_advise(session, server, item));
  CHECK(await_events(&c, 50) >= 50);
  CHECK(!c.out_of_order);
  CHECK_CODE(mxgw_unsubscribe(sub), MXGW_OK);
  CHECK_CODE(mxgw_unsubscribe(sub), MXGW_E_CLOSED);
  CHECK_CODE(mxgw_poll(sub, NULL, 0), MXGW_E_CLOSED);
  mxgw_subscription_free(sub);
  mxgw_session_free(session);
  mxgw_client_free(client);
  pthread_cond_destroy(&c.grew);
  pthread_mutex_destroy(&c.mutex);
}

/* Callback mode's end: on_end counts its calls and keeps the last code. */
typedef struct ending {
  counted events;
  int ends;
  int end_code;
} ending;

static void count_end(void* user, int end_code) {
  ending* e = (ending*)user;
  pthread_mutex_lock(&e->events.mutex);
  ++e->ends;
  e->end_code = end_code;
  pthread_cond_signal(&e->events.grew);
  pthread_mutex_unlock(&e->events.mutex);
}

static void count_ending_batch(void* user, const mxgw_batch* batch) { count_batch(&((ending*)user)->events, batch); }

/* Waits until on_end was called, or the deadline; returns how often it was. */
static int await_end(ending* e) {
  int n;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += kDeadlineNs / 1000000000LL;
  pthread_mutex_lock(&e->events.mutex);
  while (e->ends == 0 && pthread_cond_timedwait(&e->events.grew, &e->events.mutex, &deadline) == 0) {
  }
  n = e->ends;
  pthread_mutex_unlock(&e->events.mutex);
  return n;
}

/* The pid of the mxgw-worker whose parent is `parent` (this process when embedded,
 * the daemon when remote), or 0. Each case runs one session, so there is one. */
static pid_t worker_of(pid_t parent) {
  DIR* proc = opendir("/proc");
  struct dirent* entry;
  pid_t found = 0;
  while (proc && !found && (entry = readdir(proc)) != NULL) {
    char path[300], comm[64] = "";
    int ppid = 0;
    FILE* f;
    snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
    if (!(f = fopen(path, "r"))) continue;
    /* pid (comm) state ppid: comm has no spaces for mxgw-worker. */
    if (fscanf(f, "%*d (%63[^)]) %*c %d", comm, &ppid) == 2 && ppid == parent && strcmp(comm, "mxgw-worker") == 0) {
      found = (pid_t)atoi(entry->d_name);
    }
    fclose(f);
  }
  if (proc) closedir(proc);
  return found;
}

enum how_it_ends { BY_UNSUBSCRIBE, BY_SESSION_CLOSE, BY_WORKER_KILL, BY_CLIENT_CLOSE };

/* One way a callback subscription ends: on_end is called exactly once, with the
 * code the header promises, and not again when the handles go. */
static void end_callback_subscription(enum how_it_ends how, int expected_code) {
  ending e;
  int32_t server, item;
  mxgw_subscription* sub = NULL;
  mxgw_client* client = open_client();
  mxgw_session* session = open_sim_session(client);
  const char* daemon_pid = getenv("MXGW_DAEMON_PID");
  memset(&e, 0, sizeof e);
  pthread_mutex_init(&e.events.mutex, NULL);
  pthread_cond_init(&e.events.grew, NULL);
  REQUIRE_OK(mxgw_subscribe_callback(session, NULL, count_ending_batch, count_end, &e, &sub));
  REQUIRE_OK(mxgw_register(session, "endings", &server));
  REQUIRE_OK(mxgw_add_item(session, server, "Tank_001.Level", &item));
  REQUIRE_OK(mxgw_advise(session, server, item));
  CHECK(await_events(&e.events, 20) >= 20);
  switch (how) {
    case BY_UNSUBSCRIBE:
      CHECK_CODE(mxgw_unsubscribe(sub), MXGW_OK);
      CHECK(e.ends == 1); /* before mxgw_unsubscribe returned */
      break;
    case BY_SESSION_CLOSE:
      CHECK_CODE(mxgw_session_close(session), MXGW_OK);
      break;
    case BY_WORKER_KILL: {
      pid_t worker = worker_of(daemon_pid && strcmp(target, "embedded") != 0 ? (pid_t)atoi(daemon_pid) : getpid());
      CHECK(worker != 0);
      if (worker) kill(worker, SIGKILL);
      break;
    }
    case BY_CLIENT_CLOSE:
      CHECK_CODE(mxgw_client_close(client), MXGW_OK);
      break;
  }
  CHECK(await_end(&e) == 1);
  CHECK_CODE(e.end_code, expected_code);
  mxgw_subscription_free(sub);
  mxgw_session_free(session);
  mxgw_client_free(client);
  CHECK(e.ends == 1);
  pthread_cond_destroy(&e.events.grew);
  pthread_mutex_destroy(&e.events.mutex);
}

static void callback_endings(void) {
  end_callback_subscription(BY_UNSUBSCRIBE, MXGW_OK);
  end_callback_subscription(BY_SESSION_CLOSE, MXGW_OK);
  end_callback_subscription(BY_WORKER_KILL, MXGW_E_SESSION_FAULTED);
  end_callback_subscription(BY_CLIENT_CLOSE, MXGW_E_CLOSED);
}

/* A closed client: every handle made from it answers MXGW_E_CLOSED, and they may be
 * freed in any order. */
static void use_after_close(void) {
  int32_t server;
  mxgw_batch batch;
  mxgw_subscription* sub = NULL;
  mxgw_session* other = NULL;
  mxgw_client* client = open_client();
  mxgw_session* session = open_sim_session(client);
  REQUIRE_OK(mxgw_subscribe(session, NULL, &sub));
  REQUIRE_OK(mxgw_client_close(client));
  CHECK_CODE(mxgw_client_close(client), MXGW_OK); /* idempotent */
  CHECK_CODE(mxgw_session_open(client, NULL, &other), MXGW_E_CLOSED);
  CHECK(other == NULL);
  CHECK_CODE(mxgw_register(session, "late", &server), MXGW_E_CLOSED);
  CHECK_CODE(mxgw_poll(sub, &batch, 1), MXGW_E_CLOSED);
  CHECK_CODE(mxgw_wait(sub, 0), MXGW_E_CLOSED);
  CHECK_CODE(mxgw_session_close(session), MXGW_E_CLOSED);
  mxgw_client_free(client);
  mxgw_session_free(session);
  mxgw_subscription_free(sub);
}

static void bad_arguments(void) {
  int32_t server, handle;
  mxgw_value value = mxgw_value_integer(1);
  mxgw_subscribe_options options;
  mxgw_subscription* sub = NULL;
  mxgw_backend_option unknown_option[] = {{"colour", "red"}};
  mxgw_session_options bad_backend;
  mxgw_session* refused = NULL;
  mxgw_client* client = open_client();
  mxgw_session* session = open_sim_session(client);
  mxgw_subscribe_options_init(&options);
  options.policy = 99;
  mxgw_session_options_init(&bad_backend);
  bad_backend.name = "x";
  bad_backend.backend = "sim";
  bad_backend.backend_options = unknown_option;
  bad_backend.backend_option_count = 1;
  CHECK_CODE(mxgw_subscribe(session, &options, &sub), MXGW_E_INVALID_ARGUMENT);
  CHECK(sub == NULL);
  CHECK_CODE(mxgw_register(session, NULL, &server), MXGW_E_INVALID_ARGUMENT);
  REQUIRE_OK(mxgw_register(session, "args", &server));
  CHECK_CODE(mxgw_add_item(session, server, NULL, &handle), MXGW_E_INVALID_ARGUMENT);
  CHECK_CODE(mxgw_add_items(session, server, NULL, 3, NULL, NULL), MXGW_E_INVALID_ARGUMENT);
  value.type = 12; /* DataQualityType: not writable through the C API */
  CHECK_CODE(mxgw_write(session, server, 1, &value, 0, NULL), MXGW_E_INVALID_ARGUMENT);
  CHECK_CODE(mxgw_session_open(client, &bad_backend, &refused), MXGW_E_OPEN_FAILED);
  CHECK(strstr(mxgw_last_error(), "colour") != NULL);
  CHECK(refused == NULL);
  mxgw_session_free(session);
  mxgw_client_free(client);
}

int main(int argc, char** argv) {
  static const struct {
    const char* name;
    void (*run)(void);
  } cases[] = {{"version_and_errors", version_and_errors},
               {"version_check", version_check},
               {"bad_targets", bad_targets},
               {"wrong_key", wrong_key},
               {"stream_and_commands", stream_and_commands},
               {"callback_mode", callback_mode},
               {"callback_endings", callback_endings},
               {"use_after_close", use_after_close},
               {"bad_arguments", bad_arguments}};
  size_t i;
  if (argc < 2) {
    fprintf(stderr, "usage: capi_test CASE [embedded|remote]\n");
    return 2;
  }
  target = "embedded";
  if (argc > 2 && strcmp(argv[2], "remote") == 0) {
    target = getenv("MXGW_TARGET");
    client_key = getenv("MXGW_CLIENT_KEY");
    if (!target || !client_key) {
      fprintf(stderr, "remote cases need MXGW_TARGET and MXGW_CLIENT_KEY (run under tools/with-daemon.sh)\n");
      return 2;
    }
  }
  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    if (strcmp(argv[1], cases[i].name) == 0) {
      cases[i].run();
      if (failures) fprintf(stderr, "%s: %d check(s) failed\n", argv[1], failures);
      return failures ? 1 : 0;
    }
  }
  fprintf(stderr, "no case named %s\n", argv[1]);
  return 2;
}
