/*
 * mxgw/mxgw_plugin.h — the C ABI for mxgw-worker backend plugins.
 *
 * A plugin is a shared library that exports one function, mxgw_plugin_entry(),
 * returning a table of callbacks. mxgw-worker loads it by path (from the gateway's
 * configuration, never from a client), checks abi_version and struct_size, and
 * then drives one backend instance per session. It is installed with libmxgw
 * (<mxgw/mxgw_plugin.h>); every name in it starts with mxgw_plugin_ or MXGW_PLUGIN_,
 * so it may be included beside <mxgw/mxgw.h> in one translation unit.
 *
 * Threading: every callback is called on the worker's single loop thread, never
 * concurrently, never re-entrantly. A plugin that does its own I/O on other threads
 * must hand data to that thread itself; produce() is where it hands events over.
 *
 * Ownership: strings and values passed to a callback are valid only during that
 * call; copy what you keep. Error texts are written by the plugin into the buffer the
 * worker provides (NUL-terminated, truncated to error_size). The plugin owns its
 * instance (mxgw_plugin) and frees it in destroy().
 *
 * Values use MXAccess's MxDataType numbering (see schema/mx_types.fbs): numbers in
 * `number` (Boolean 0/1, Integer, Float, Double), times in `nanoseconds`, strings in
 * `text`/`text_length`. Quality is the full 32-bit OPC DA word; timestamps are
 * nanoseconds since the Unix epoch, UTC.
 *
 * Writes complete synchronously: the result of write() is the write's completion,
 * which the worker reports as OnWriteComplete under the write id it assigned.
 */

#ifndef MXGW_PLUGIN_H
#define MXGW_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MXGW_PLUGIN_ABI_VERSION 1u

#if defined(__GNUC__)
#define MXGW_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MXGW_PLUGIN_EXPORT
#endif

/* Result codes; the numbering is proto::CommandError's. */
enum mxgw_plugin_result {
  MXGW_PLUGIN_OK = 0,
  MXGW_PLUGIN_E_UNKNOWN_TAG = 4,
  MXGW_PLUGIN_E_READ_ONLY = 6,
  MXGW_PLUGIN_E_TYPE_MISMATCH = 7,
  MXGW_PLUGIN_E_INVALID_ARGUMENT = 8,
  MXGW_PLUGIN_E_AUTHENTICATION_FAILED = 9,
  MXGW_PLUGIN_E_UNKNOWN_USER = 10,
  MXGW_PLUGIN_E_BACKEND_FAILURE = 12
};

/* MxDataType values a plugin uses most. */
enum mxgw_plugin_data_type {
  MXGW_PLUGIN_TYPE_BOOLEAN = 1,
  MXGW_PLUGIN_TYPE_INTEGER = 2,
  MXGW_PLUGIN_TYPE_FLOAT = 3,
  MXGW_PLUGIN_TYPE_DOUBLE = 4,
  MXGW_PLUGIN_TYPE_STRING = 5,
  MXGW_PLUGIN_TYPE_TIME = 6,
  MXGW_PLUGIN_TYPE_ELAPSED_TIME = 7
};

#define MXGW_PLUGIN_QUALITY_GOOD 0xC0u

typedef struct mxgw_plugin mxgw_plugin;           /* the plugin's instance, opaque to the worker */
typedef struct mxgw_plugin_host mxgw_plugin_host; /* the worker's side, opaque to the plugin */

typedef struct mxgw_plugin_item_key {
  int32_t server_handle;
  int32_t item_handle;
} mxgw_plugin_item_key;

typedef struct mxgw_plugin_value {
  int16_t data_type;
  double number;
  int64_t nanoseconds;
  const char* text;
  size_t text_length;
} mxgw_plugin_value;

/* MXSTATUS_PROXY: success non-zero when ok; category and detected_by use MXAccess's
 * numbering (schema/mx_types.fbs: MxStatusCategory, MxStatusSource). */
typedef struct mxgw_plugin_status {
  int16_t success;
  int8_t category;
  int8_t detected_by;
  int16_t detail;
} mxgw_plugin_status;

typedef struct mxgw_plugin_option {
  const char* key;
  const char* value;
} mxgw_plugin_option;

/* What the worker offers a plugin during produce(). */
typedef struct mxgw_plugin_host_api {
  uint32_t struct_size; /* sizeof(mxgw_plugin_host_api) of the worker */
  /* Emits one data change of an active item, with its status (NULL: success). A
   * change whose status is not a success is delivered like any other. Returns 1
   * while the worker wants more events this round, 0 when the plugin should return
   * from produce() (the batch budget is spent or the gateway connection pushes
   * back). */
  int (*emit)(mxgw_plugin_host* host, mxgw_plugin_item_key key, const mxgw_plugin_value* value, uint32_t quality,
              int64_t source_time_ns, const mxgw_plugin_status* status);
} mxgw_plugin_host_api;

typedef struct mxgw_plugin_vtable {
  uint32_t abi_version; /* MXGW_PLUGIN_ABI_VERSION */
  uint32_t struct_size; /* sizeof(mxgw_plugin_vtable) */
  const char* name;

  /* Creates an instance configured by the session's backend options. An unknown
   * key or a bad value must fail with a message naming the key. */
  int (*create)(const mxgw_plugin_option* options, size_t option_count, mxgw_plugin** out, char* error,
                size_t error_size);
  void (*destroy)(mxgw_plugin* backend);

  /* Resolves `tag` for a new item; sets its type and whether it is writable. */
  int (*add_item)(mxgw_plugin* backend, mxgw_plugin_item_key key, const char* tag, int buffered, int16_t* data_type,
                  int* writable, char* error, size_t error_size);
  void (*remove_item)(mxgw_plugin* backend, mxgw_plugin_item_key key);
  /* Starts (1) or stops (0) the item's updates. */
  void (*set_active)(mxgw_plugin* backend, mxgw_plugin_item_key key, int active);
  /* Applies a write; the worker has checked the value's type against add_item's. */
  int (*write)(mxgw_plugin* backend, mxgw_plugin_item_key key, const mxgw_plugin_value* value, int64_t timestamp_ns,
               char* error, size_t error_size);
  /* Emits updates due at or before now_ns through host_api->emit until it returns 0.
   * Returns when the plugin next has work (now_ns or earlier if it stopped early),
   * or INT64_MAX when nothing is scheduled. */
  int64_t (*produce)(mxgw_plugin* backend, int64_t now_ns, const mxgw_plugin_host_api* host_api,
                     mxgw_plugin_host* host);
  /* Optional (may be NULL): after backpressure, keeps only each item's newest due
   * update and returns how many it dropped. */
  uint64_t (*coalesce_backlog)(mxgw_plugin* backend, int64_t now_ns);
  /* Optional (may be NULL: no users): user directory. */
  int (*authenticate)(mxgw_plugin* backend, const char* user, const char* password, int32_t* user_id);
  int (*user_id_from_guid)(mxgw_plugin* backend, const char* guid, int32_t* user_id);
} mxgw_plugin_vtable;

/* The one symbol a plugin exports. */
typedef const mxgw_plugin_vtable* (*mxgw_plugin_entry_fn)(void);
MXGW_PLUGIN_EXPORT const mxgw_plugin_vtable* mxgw_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* MXGW_PLUGIN_H */
