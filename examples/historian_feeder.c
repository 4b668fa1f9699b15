/* historian_feeder: what a historian's collector does with libmxgw. It advises
 * 1,000 items of a `sim` session (250 tanks: Level, Temperature, HighAlarm and
 * Product), subscribes lossless, and writes every change it receives to a CSV file,
 * checking that sequence numbers run on without a gap.
 *
 *   historian_feeder [TARGET [CSV [SECONDS [EVENTS [RATE_MS]]]]]
 *
 *   TARGET   "embedded" (default), "tcp://host:port" or "unix:///path"; a remote
 *            gateway wants a client key in $MXGW_CLIENT_KEY
 *   CSV      the output file (default historian.csv)
 *   SECONDS  how long to collect (default 10; 0: no limit)
 *   EVENTS   stop after this many rows (default 0: no limit)
 *   RATE_MS  one update period for every item (default: each attribute's own,
 *            Level 1 s, Temperature 2 s, HighAlarm 5 s, Product 10 s: 450 changes
 *            a second, most batches all numeric)
 *
 * Columns: seq, item, value, quality (the OPC quality word), source_time and
 * worker_time (ISO-8601 UTC with nanoseconds). Prints one summary line; exits 0
 * when it closed cleanly and saw no gap, 1 otherwise, 2 on bad usage. SIGINT or
 * SIGTERM stops collecting early, still closing cleanly. */
#define _POSIX_C_SOURCE 200809L

#include <mxgw/mxgw.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { kTanks = 250, kAttributes = 4, kItems = kTanks * kAttributes, kBatchesPerPoll = 64 };

typedef struct item {
  int32_t handle;
  char name[32];
} item;

typedef struct feeder {
  FILE* csv;
  item items[kItems]; /* sorted by handle, for bsearch */
  long long max_rows; /* 0: no limit */
  long long rows, in_place, by_cursor, gaps;
  mxgw_seq first_seq, next_seq; /* next_seq 0: nothing seen yet */
} feeder;

static volatile sig_atomic_t stop_requested;

static void request_stop(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

static int64_t monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int fail(const char* what, int code) {
  fprintf(stderr, "historian_feeder: %s: %s (%s)\n", what, mxgw_strerror(code), mxgw_last_error());
  return 1;
}

static int by_handle(const void* a, const void* b) {
  const item* x = (const item*)a;
  const item* y = (const item*)b;
  return (x->handle > y->handle) - (x->handle < y->handle);
}

static const char* item_name(const feeder* f, int32_t handle) {
  item key;
  const item* found;
  key.handle = handle;
  found = (const item*)bsearch(&key, f->items, kItems, sizeof(item), by_handle);
  return found ? found->name : "?";
}

/* ---- CSV ---------------------------------------------------------------- */

static void write_time(FILE* out, int64_t ns) {
  time_t seconds = (time_t)(ns / 1000000000LL);
  long fraction = (long)(ns % 1000000000LL);
  struct tm utc;
  char text[32];
  if (fraction < 0) { /* before 1970: the fraction counts forwards from the second before */
    fraction += 1000000000L;
    --seconds;
  }
  gmtime_r(&seconds, &utc);
  strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  fprintf(out, "%s.%09ldZ", text, fraction);
}

/* Enough digits to read back the same float or double. */
static void write_number(FILE* out, int16_t type, double value) {
  if (type == MXGW_TYPE_FLOAT) {
    fprintf(out, "%.9g", value);
  } else if (type == MXGW_TYPE_DOUBLE) {
    fprintf(out, "%.17g", value);
  } else { /* boolean, integer, time, elapsed time: whole numbers */
    fprintf(out, "%.0f", value);
  }
}

static void write_string(FILE* out, const char* text) {
  fputc('"', out);
  for (; *text; ++text) {
    if (*text == '"') fputc('"', out); /* CSV doubles a quote inside quotes */
    fputc(*text, out);
  }
  fputc('"', out);
}

static void write_value(FILE* out, const mxgw_value* value) {
  if (value->is_array || value->is_opaque) { /* the sim has none; a historian files them apart */
    fprintf(out, "\"<%s of %u>\"", value->is_array ? "array" : "opaque", (unsigned)value->length);
    return;
  }
  switch (value->type) {
    case MXGW_TYPE_BOOLEAN:
      write_number(out, value->type, value->v.boolean);
      break;
    case MXGW_TYPE_INTEGER:
      write_number(out, value->type, value->v.integer);
      break;
    case MXGW_TYPE_FLOAT:
      write_number(out, value->type, (double)value->v.real32);
      break;
    case MXGW_TYPE_DOUBLE:
      write_number(out, value->type, value->v.real64);
      break;
    case MXGW_TYPE_TIME:
    case MXGW_TYPE_ELAPSED_TIME:
      fprintf(out, "%lld", (long long)value->v.ns);
      break;
    case MXGW_TYPE_STRING:
      write_string(out, value->v.string);
      break;
    default:
      break; /* NoData: an empty field */
  }
}

static void begin_row(feeder* f, mxgw_seq seq, int32_t item_handle) {
  fprintf(f->csv, "%llu,%s,", (unsigned long long)seq, item_name(f, item_handle));
  ++f->rows;
}

static void end_row(feeder* f, uint32_t quality, int64_t source_time_ns, int64_t worker_time_ns) {
  fprintf(f->csv, ",%u,", (unsigned)quality);
  write_time(f->csv, source_time_ns);
  fputc(',', f->csv);
  write_time(f->csv, worker_time_ns);
  fputc('\n', f->csv);
}

/* ---- events --------------------------------------------------------------- */

static int room_left(const feeder* f) { return f->max_rows == 0 || f->rows < f->max_rows; }

/* Every event of the session has the next sequence number: anything else is a gap. */
static void expect_seq(feeder* f, mxgw_seq seq) {
  if (f->next_seq == 0) {
    f->first_seq = seq;
  } else if (seq != f->next_seq) {
    fprintf(stderr, "historian_feeder: gap: expected seq %llu, got %llu\n", (unsigned long long)f->next_seq,
            (unsigned long long)seq);
    ++f->gaps;
  }
  f->next_seq = seq + 1;
}

/* The fast path: a batch of numeric changes only, read in place from the frame. */
static void feed_numeric(feeder* f, const mxgw_batch* batch) {
  uint32_t i;
  for (i = 0; i < batch->numeric_count && room_left(f); ++i) {
    const mxgw_numeric_change* change = &batch->numeric[i];
    expect_seq(f, batch->first_seq + i);
    begin_row(f, batch->first_seq + i, change->item_handle);
    write_number(f->csv, change->data_type, change->value);
    end_row(f, change->quality, change->source_time_ns, batch->worker_time_ns);
    ++f->in_place;
  }
}

static void feed_event(feeder* f, const mxgw_batch* batch, const mxgw_event* event) {
  uint32_t i;
  mxgw_value value;
  uint32_t quality;
  int64_t source_time_ns;
  if (event->kind == MXGW_EVENT_GAP) { /* lossless never drops; say so if it did */
    fprintf(stderr, "historian_feeder: gap announced: seq %llu..%llu\n", (unsigned long long)event->gap_first_seq,
            (unsigned long long)event->gap_last_seq);
    ++f->gaps;
    return;
  }
  expect_seq(f, event->seq);
  if (event->kind == MXGW_EVENT_DATA_CHANGE) {
    begin_row(f, event->seq, event->item_handle);
    write_value(f->csv, &event->value);
    end_row(f, event->quality, event->source_time_ns, batch->worker_time_ns);
    ++f->by_cursor;
  } else if (event->kind == MXGW_EVENT_BUFFERED_DATA_CHANGE) { /* one row per sample */
    for (i = 0; i < event->sample_count; ++i) {
      mxgw_event_sample(event, i, &value, &quality, &source_time_ns);
      begin_row(f, event->seq, event->item_handle);
      write_value(f->csv, &value);
      end_row(f, quality, source_time_ns, batch->worker_time_ns);
      ++f->by_cursor;
    }
  } else if (event->kind == MXGW_EVENT_SESSION_STATE && event->session_state >= MXGW_SESSION_CLOSING) {
    fprintf(stderr, "historian_feeder: session state %d: %s\n", (int)event->session_state, event->reason);
  }
}

static void feed_batch(feeder* f, const mxgw_batch* batch) {
  mxgw_cursor cursor;
  mxgw_event event;
  if (batch->numeric_count == batch->event_count && batch->gap_count == 0) {
    feed_numeric(f, batch);
    return;
  }
  mxgw_cursor_init(&cursor, batch);
  while (room_left(f) && mxgw_cursor_next(&cursor, &event)) feed_event(f, batch, &event);
}

/* ---- the session ----------------------------------------------------------- */

/* Register, AddItems, AdviseItems: the items' handles and names land in f->items. */
static int advise_items(feeder* f, mxgw_session* session) {
  static const char* const attributes[kAttributes] = {"Level", "Temperature", "HighAlarm", "Product"};
  const char* defs[kItems];
  int32_t handles[kItems], errors[kItems], server;
  int i, code = mxgw_register(session, "historian_feeder", &server);
  if (code != MXGW_OK) return fail("Register", code);
  for (i = 0; i < kItems; ++i) {
    snprintf(f->items[i].name, sizeof f->items[i].name, "Tank_%03d.%s", i / kAttributes, attributes[i % kAttributes]);
    defs[i] = f->items[i].name;
  }
  if ((code = mxgw_add_items(session, server, defs, kItems, handles, errors)) != MXGW_OK) return fail("AddItems", code);
  for (i = 0; i < kItems; ++i) {
    if (errors[i] != MXGW_OK) return fail(f->items[i].name, errors[i]);
    f->items[i].handle = handles[i];
  }
  if ((code = mxgw_advise_items(session, server, handles, kItems, 0, errors)) != MXGW_OK) {
    return fail("AdviseItems", code);
  }
  for (i = 0; i < kItems; ++i) {
    if (errors[i] != MXGW_OK) return fail(f->items[i].name, errors[i]);
  }
  qsort(f->items, kItems, sizeof(item), by_handle);
  return 0;
}

/* Polls until the time or the row budget is spent, or a stop is requested. */
static int collect(feeder* f, mxgw_subscription* sub, double seconds) {
  mxgw_batch batches[kBatchesPerPoll];
  const int64_t deadline = seconds > 0 ? monotonic_ns() + (int64_t)(seconds * 1e9) : INT64_MAX;
  while (!stop_requested && room_left(f) && monotonic_ns() < deadline) {
    int i, n = mxgw_poll(sub, batches, kBatchesPerPoll);
    if (n == MXGW_E_ENDED) return fail("subscription ended", mxgw_subscription_end_code(sub));
    if (n < 0) return fail("poll", n);
    for (i = 0; i < n; ++i) feed_batch(f, &batches[i]);
    mxgw_release(sub);
    if (n == 0) mxgw_wait(sub, 100); /* short, so that the deadline and signals are seen */
  }
  return 0;
}

int main(int argc, char** argv) {
  static feeder f; /* zeroed: no rows, no sequence number seen */
  mxgw_backend_option backend_options[] = {{"tags", "Tank:250"}, {"quality_changes", "true"}, {"rate_ms", NULL}};
  mxgw_session_options session_options;
  mxgw_subscribe_options subscribe_options;
  mxgw_client_options client_options;
  mxgw_client* client = NULL;
  mxgw_session* session = NULL;
  mxgw_subscription* sub = NULL;
  const char* target = argc > 1 ? argv[1] : "embedded";
  const char* csv_path = argc > 2 ? argv[2] : "historian.csv";
  double seconds = argc > 3 ? atof(argv[3]) : 10;
  int64_t started;
  int code, status = 1;

  mxgw_session_options_init(&session_options);
  session_options.name = "historian_feeder";
  session_options.backend = "sim";
  session_options.backend_options = backend_options;
  session_options.backend_option_count = 2;
  mxgw_subscribe_options_init(&subscribe_options); /* lossless, from the next event on */
  if (argc > 6 || seconds < 0) {
    fprintf(stderr, "usage: historian_feeder [TARGET [CSV [SECONDS [EVENTS [RATE_MS]]]]]\n");
    return 2;
  }
  f.max_rows = argc > 4 ? atoll(argv[4]) : 0;
  if (argc > 5) {
    backend_options[2].value = argv[5];
    session_options.backend_option_count = 3;
  }
  if ((code = MXGW_CHECK_VERSION()) != MXGW_OK) {
    fail("libmxgw", code);
    return 1;
  }
  signal(SIGINT, request_stop);
  signal(SIGTERM, request_stop);
  if (!(f.csv = fopen(csv_path, "w"))) {
    perror(csv_path);
    return 1;
  }
  fputs("seq,item,value,quality,source_time,worker_time\n", f.csv);

  mxgw_client_options_init(&client_options);
  client_options.api_key = getenv("MXGW_CLIENT_KEY");
  client_options.client_name = "historian_feeder";
  if ((code = mxgw_client_open(target, &client_options, &client)) != MXGW_OK) {
    fail(target, code);
  } else if ((code = mxgw_session_open(client, &session_options, &session)) != MXGW_OK) {
    fail("open session", code);
  } else if ((code = mxgw_subscribe(session, &subscribe_options, &sub)) != MXGW_OK) { /* first: miss nothing */
    fail("subscribe", code);
  } else if (advise_items(&f, session) == 0) {
    started = monotonic_ns();
    if (collect(&f, sub, seconds) == 0) status = 0;
    printf("historian_feeder: %lld rows (%lld in place, %lld by cursor), seq %llu..%llu, %lld gaps, %.2f s -> %s\n",
           f.rows, f.in_place, f.by_cursor, (unsigned long long)f.first_seq,
           (unsigned long long)(f.next_seq ? f.next_seq - 1 : 0), f.gaps, (double)(monotonic_ns() - started) / 1e9,
           csv_path);
  }

  mxgw_subscription_free(sub);
  if (session && (code = mxgw_session_close(session)) != MXGW_OK) status = fail("close session", code);
  mxgw_session_free(session);
  mxgw_client_free(client);
  if (fclose(f.csv) != 0) {
    perror(csv_path);
    status = 1;
  }
  return status != 0 || f.gaps != 0;
}
