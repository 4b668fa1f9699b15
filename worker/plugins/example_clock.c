/*
 * example_clock: a small mxgw-worker backend plugin, written against
 * <mxgw/mxgw_plugin.h> alone, to show (and test) the plugin ABI from the outside.
 *
 * Tags:
 *   Clock.Seconds   Integer  read-only  whole seconds since the Unix epoch (mod 2^31)
 *   Clock.Text      String   read-only  "HH:MM:SS" UTC
 *   Clock.Synced    Boolean  read-only  always false, and every update carries a
 *                                       non-success status (Warning, detail 1):
 *                                       how a source reports a value it cannot vouch for
 *   Memory.<name>   Double   writable   holds the last value written; starts at 0
 * Options:
 *   period_ms       update period of the Clock tags, 1..3600000 (default 1000)
 *
 * Single-threaded, as the ABI promises: no locks.
 */

#include <mxgw/mxgw_plugin.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum item_kind { CLOCK_SECONDS, CLOCK_TEXT, CLOCK_SYNCED, MEMORY };

typedef struct item {
  mxgw_plugin_item_key key;
  enum item_kind kind;
  int active;
  int pending;      /* a value waits to be emitted (first value after advise, or a write echo) */
  int64_t next_due; /* clock items: time of the next update */
  double value;     /* memory items */
  int64_t value_time;
} item;

struct mxgw_plugin {
  int64_t period_ns;
  item* items;
  size_t count;
  size_t capacity;
};

/* Warning (2), detected by the responding automation object (5), detail 1. */
static const mxgw_plugin_status kUnsynced = {0, 2, 5, 1};

static void set_error(char* error, size_t size, const char* text) {
  if (size > 0) snprintf(error, size, "%s", text);
}

static item* find(mxgw_plugin* b, mxgw_plugin_item_key key) {
  for (size_t i = 0; i < b->count; ++i) {
    if (b->items[i].key.server_handle == key.server_handle && b->items[i].key.item_handle == key.item_handle) {
      return &b->items[i];
    }
  }
  return NULL;
}

static int create(const mxgw_plugin_option* options, size_t count, mxgw_plugin** out, char* error, size_t error_size) {
  int64_t period_ms = 1000;
  for (size_t i = 0; i < count; ++i) {
    if (strcmp(options[i].key, "period_ms") == 0) {
      char* end = NULL;
      long long parsed = strtoll(options[i].value, &end, 10);
      if (*options[i].value == '\0' || *end != '\0' || parsed < 1 || parsed > 3600000) {
        set_error(error, error_size, "period_ms must be a whole number of milliseconds from 1 to 3600000");
        return MXGW_PLUGIN_E_INVALID_ARGUMENT;
      }
      period_ms = parsed;
    } else {
      char text[160];
      snprintf(text, sizeof text, "unknown option '%s' (example_clock knows period_ms)", options[i].key);
      set_error(error, error_size, text);
      return MXGW_PLUGIN_E_INVALID_ARGUMENT;
    }
  }
  mxgw_plugin* b = calloc(1, sizeof *b);
  if (!b) {
    set_error(error, error_size, "out of memory");
    return MXGW_PLUGIN_E_BACKEND_FAILURE;
  }
  b->period_ns = period_ms * 1000000;
  *out = b;
  return MXGW_PLUGIN_OK;
}

static void destroy(mxgw_plugin* b) {
  if (!b) return;
  free(b->items);
  free(b);
}

static int add_item(mxgw_plugin* b, mxgw_plugin_item_key key, const char* tag, int buffered, int16_t* data_type,
                    int* writable, char* error, size_t error_size) {
  (void)buffered;
  item fresh;
  memset(&fresh, 0, sizeof fresh);
  fresh.key = key;
  if (strcmp(tag, "Clock.Seconds") == 0) {
    fresh.kind = CLOCK_SECONDS;
    *data_type = MXGW_PLUGIN_TYPE_INTEGER;
    *writable = 0;
  } else if (strcmp(tag, "Clock.Text") == 0) {
    fresh.kind = CLOCK_TEXT;
    *data_type = MXGW_PLUGIN_TYPE_STRING;
    *writable = 0;
  } else if (strcmp(tag, "Clock.Synced") == 0) {
    fresh.kind = CLOCK_SYNCED;
    *data_type = MXGW_PLUGIN_TYPE_BOOLEAN;
    *writable = 0;
  } else if (strncmp(tag, "Memory.", 7) == 0 && tag[7] != '\0') {
    fresh.kind = MEMORY;
    *data_type = MXGW_PLUGIN_TYPE_DOUBLE;
    *writable = 1;
  } else {
    char text[200];
    snprintf(text, sizeof text,
             "example_clock has no tag '%s' (Clock.Seconds, Clock.Text, Clock.Synced, Memory.<name>)", tag);
    set_error(error, error_size, text);
    return MXGW_PLUGIN_E_UNKNOWN_TAG;
  }
  if (b->count == b->capacity) {
    size_t capacity = b->capacity ? 2 * b->capacity : 16;
    item* grown = realloc(b->items, capacity * sizeof *grown);
    if (!grown) {
      set_error(error, error_size, "out of memory");
      return MXGW_PLUGIN_E_BACKEND_FAILURE;
    }
    b->items = grown;
    b->capacity = capacity;
  }
  b->items[b->count++] = fresh;
  return MXGW_PLUGIN_OK;
}

static void remove_item(mxgw_plugin* b, mxgw_plugin_item_key key) {
  item* it = find(b, key);
  if (it) *it = b->items[--b->count];
}

static void set_active(mxgw_plugin* b, mxgw_plugin_item_key key, int active) {
  item* it = find(b, key);
  if (!it) return;
  it->active = active;
  /* An advise delivers the current value at once, as MXAccess does. */
  it->pending = active;
  it->next_due = 0;
}

static int write_value(mxgw_plugin* b, mxgw_plugin_item_key key, const mxgw_plugin_value* value, int64_t timestamp_ns,
                       char* error, size_t error_size) {
  item* it = find(b, key);
  if (!it || it->kind != MEMORY) {
    set_error(error, error_size, "only Memory.<name> tags are writable");
    return MXGW_PLUGIN_E_READ_ONLY;
  }
  it->value = value->number;
  it->value_time = timestamp_ns;
  it->pending = it->active;
  return MXGW_PLUGIN_OK;
}

static int64_t produce(mxgw_plugin* b, int64_t now_ns, const mxgw_plugin_host_api* host_api, mxgw_plugin_host* host) {
  int64_t next = INT64_MAX;
  for (size_t i = 0; i < b->count; ++i) {
    item* it = &b->items[i];
    if (!it->active) continue;
    char text[16];
    const mxgw_plugin_status* status = NULL;
    mxgw_plugin_value v;
    memset(&v, 0, sizeof v);
    int64_t stamp = now_ns;
    if (it->kind == MEMORY) {
      if (!it->pending) continue;
      v.data_type = MXGW_PLUGIN_TYPE_DOUBLE;
      v.number = it->value;
      stamp = it->value_time ? it->value_time : now_ns;
    } else {
      if (!it->pending && it->next_due > now_ns) {
        if (it->next_due < next) next = it->next_due;
        continue;
      }
      /* The value of the period that contains now, stamped with its start. */
      stamp = now_ns - now_ns % b->period_ns;
      int64_t seconds = stamp / 1000000000;
      if (it->kind == CLOCK_SECONDS) {
        v.data_type = MXGW_PLUGIN_TYPE_INTEGER;
        v.number = (double)(seconds % 2147483647);
      } else if (it->kind == CLOCK_SYNCED) {
        v.data_type = MXGW_PLUGIN_TYPE_BOOLEAN;
        v.number = 0;
        status = &kUnsynced;
      } else {
        snprintf(text, sizeof text, "%02d:%02d:%02d", (int)(seconds / 3600 % 24), (int)(seconds / 60 % 60),
                 (int)(seconds % 60));
        v.data_type = MXGW_PLUGIN_TYPE_STRING;
        v.text = text;
        v.text_length = strlen(text);
      }
      it->next_due = stamp + b->period_ns;
      if (it->next_due < next) next = it->next_due;
    }
    it->pending = 0;
    if (!host_api->emit(host, it->key, &v, MXGW_PLUGIN_QUALITY_GOOD, stamp, status)) return now_ns;
  }
  return next;
}

static const mxgw_plugin_vtable kVtable = {MXGW_PLUGIN_ABI_VERSION,
                                           sizeof(mxgw_plugin_vtable),
                                           "example_clock",
                                           create,
                                           destroy,
                                           add_item,
                                           remove_item,
                                           set_active,
                                           write_value,
                                           produce,
                                           NULL,
                                           NULL,
                                           NULL};

const mxgw_plugin_vtable* mxgw_plugin_entry(void) { return &kVtable; }
