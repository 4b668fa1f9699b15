/* Version 1 of the libmxgw ABI: a frozen copy of engine/capi/include/mxgw/mxgw.h as it
 * was when options structs gained struct_size. Never edit it: tests/capi/abi_caller.c
 * is compiled against it to prove that programs built then keep working. */
/* mxgw.h: the C API of libmxgw, for programs that embed the mxgw engine or connect
 * to a running mxgw gateway.
 *
 * One API, two modes, chosen by the target given to mxgw_client_open():
 *   "embedded"              the engine runs inside this process: its shards, the
 *                           session workers (mxgw-worker child processes) and the
 *                           distributor; events reach the caller without a syscall
 *                           or an allocation per event;
 *   "tcp://host:port"       a client of a remote gateway (`mxgw serve`);
 *   "unix:///path/to.sock"  the same over a Unix socket.
 * Everything else is the same in both modes, so a program moves from one to the
 * other by changing that one string.
 *
 * Conventions.
 *   - Handles are opaque. Each *_open returns a handle the caller owns and gives
 *     back with the matching *_free. A handle that was closed (or whose client or
 *     session ended) stays valid until it is freed: every call on it returns
 *     MXGW_E_CLOSED (or the reason its session ended), never a crash.
 *   - Functions return 0 or a positive count on success and a negative MXGW_E_*
 *     code on failure. mxgw_strerror() says what a code means, mxgw_err_name()
 *     gives its name, mxgw_last_error() the detailed message of the last failure
 *     on the calling thread.
 *   - Strings passed in are read during the call only (the library keeps copies).
 *     Strings and views handed out are owned by the library; how long each lives is
 *     written beside it.
 *   - Thread safety is written beside each function. In short: clients and
 *     sessions may be used from any thread concurrently; a subscription is polled
 *     by one consumer thread at a time.
 *   - No C++ exception ever leaves the library: a failure inside it, running out of
 *     memory included (MXGW_E_NO_MEMORY), is the call's error code.
 *
 * Compatibility. A program compiled against this header runs with any libmxgw of
 * the same major version and the same or a later minor version (check it at start
 * with MXGW_CHECK_VERSION()). To make that possible:
 *   - every options struct the caller fills starts with `struct_size`, set by its
 *     *_init function (inline, so it is the size the program was compiled with).
 *     The library reads only the fields that size covers and uses the defaults for
 *     the rest. A size smaller than this version's struct (the first one with
 *     struct_size), or a larger one whose bytes beyond the library's struct are not
 *     all zero (fields of a later version this library cannot honour), is refused
 *     with MXGW_E_INVALID_ARGUMENT;
 *   - fields are only ever added at the end of an options struct, after the end of
 *     every earlier version's struct (never in its tail padding), with zero meaning
 *     "as before";
 *   - the structs the library fills or the caller passes as arrays (mxgw_batch,
 *     mxgw_event, mxgw_value, mxgw_status, mxgw_numeric_change, mxgw_cursor,
 *     mxgw_backend_option) keep their layout for the whole major version: new
 *     data comes through new functions;
 *   - codes, constants and functions are only added, never renumbered or removed.
 *
 * Event consumption. A subscription delivers the session's events as batches (the
 * frames the worker produced, unchanged). mxgw_poll() hands out views of up to N
 * batches at once; the views point into the frames themselves and stay valid until
 * mxgw_release() or the next mxgw_poll() on that subscription, which gives them all
 * back at once. Numeric data changes (the bulk of industrial traffic) are visible
 * directly as an array of mxgw_numeric_change per batch; every event, of any kind,
 * in production order, is read with an mxgw_cursor. Alternatively
 * mxgw_subscribe_callback() runs a callback per batch on a thread of the library.
 *
 * Requires C99 (or C++). Compile with -lmxgw (pkg-config: mxgw; CMake:
 * find_package(mxgw) and mxgw::mxgw or mxgw::mxgw_static).
 */
#ifndef MXGW_H
#define MXGW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MXGW_BUILDING_LIBRARY)
#define MXGW_API __attribute__((visibility("default")))
#else
#define MXGW_API
#endif

/* ---- version ------------------------------------------------------------ */

#define MXGW_VERSION_MAJOR 0
#define MXGW_VERSION_MINOR 1
#define MXGW_VERSION_PATCH 0
/* One number that compares in order: 0xMMmmpp. */
#define MXGW_VERSION_HEX ((MXGW_VERSION_MAJOR << 16) | (MXGW_VERSION_MINOR << 8) | MXGW_VERSION_PATCH)
#define MXGW_VERSION_STRING "0.1.0"

/* The version of the library actually loaded (MXGW_VERSION_HEX when the header and
 * the library match). Any thread. */
MXGW_API uint32_t mxgw_version(void);
/* The same as "major.minor.patch"; a static string. Any thread. */
MXGW_API const char* mxgw_version_string(void);

/* Whether the loaded library serves a program compiled against the header of
 * version `header_version` (0xMMmmpp): the same major version, and a library minor
 * version at least the header's (a newer minor only adds). Returns MXGW_OK, or
 * MXGW_E_INCOMPATIBLE_VERSION with both versions in mxgw_last_error(). Call it once
 * at start, as MXGW_CHECK_VERSION(). Any thread. */
MXGW_API int mxgw_check_version(uint32_t header_version);
#define MXGW_CHECK_VERSION() mxgw_check_version(MXGW_VERSION_HEX)

/* ---- errors ------------------------------------------------------------- */

/* Every error code: X(NAME, value, text), one table for the codes below, their
 * names (mxgw_err_name) and their texts (mxgw_strerror).
 *   -1 … -17    the gateway's protocol error codes (client.fbs ErrorCode), the
 *               same numbers negated, so a code means the same in both modes;
 *   -30 …       the library's own;
 *   -101 … -114 the MXAccess command errors a worker answers with (worker.fbs
 *               CommandError), negated and offset by 100.
 * The library checks at compile time that the protocol's numbers agree. */
#define MXGW_ERROR_TABLE(X)                                                                   \
  X(OK, 0, "success")                                                                         \
  X(E_PROTOCOL_VERSION, -1, "the peer speaks another protocol version")                       \
  X(E_MALFORMED_FRAME, -2, "a frame failed its size check or verification")                   \
  X(E_FRAME_TOO_LARGE, -3, "the request is larger than the gateway accepts")                  \
  X(E_UNKNOWN_MESSAGE, -4, "a message of an unexpected kind")                                 \
  X(E_OUT_OF_ORDER, -5, "a request the protocol does not allow at this point")                \
  X(E_UNAUTHENTICATED, -6, "no API key, or an unknown one")                                   \
  X(E_PERMISSION_DENIED, -7, "this key may not do that (an admin request with a client key)") \
  X(E_NOT_FOUND, -8, "no such session, or not this key's")                                    \
  X(E_SESSION_LIMIT, -9, "the gateway has as many sessions open as it allows")                \
  X(E_OPEN_FAILED, -10, "the session's worker could not be started")                          \
  X(E_ALREADY_CLOSED, -11, "the session was already closed")                                  \
  X(E_SESSION_FAULTED, -12, "the session's worker failed")                                    \
  X(E_COMMAND_TIMEOUT, -13, "no answer within the timeout")                                   \
  X(E_INVALID_ARGUMENT, -14, "a NULL, malformed or out-of-range argument")                    \
  X(E_SLOW_CONSUMER, -15, "the subscription fell behind and the disconnect policy ended it")  \
  X(E_SHUTTING_DOWN, -16, "the gateway or engine is shutting down")                           \
  X(E_INTERNAL, -17, "an I/O failure or an internal error")                                   \
  X(E_CLOSED, -30, "the handle was closed, or its client was")                                \
  X(E_CONNECT, -31, "the gateway could not be reached")                                       \
  X(E_ENDED, -32, "the subscription has ended (see mxgw_subscription_end_code)")              \
  X(E_NO_MEMORY, -33, "an allocation failed")                                                 \
  X(E_INCOMPATIBLE_VERSION, -34, "the library does not serve this header's version")          \
  X(E_NOT_REGISTERED, -101, "MXAccess: Register must come first")                             \
  X(E_UNKNOWN_SERVER_HANDLE, -102, "MXAccess: unknown server handle")                         \
  X(E_UNKNOWN_ITEM_HANDLE, -103, "MXAccess: unknown item handle")                             \
  X(E_UNKNOWN_TAG, -104, "MXAccess: unknown tag")                                             \
  X(E_NOT_ADVISED, -105, "MXAccess: the item is not advised (Advise before Write)")           \
  X(E_READ_ONLY, -106, "MXAccess: the item is read-only")                                     \
  X(E_TYPE_MISMATCH, -107, "MXAccess: the value's type does not match the item")              \
  X(E_COMMAND_INVALID_ARGUMENT, -108, "MXAccess: invalid argument")                           \
  X(E_AUTHENTICATION_FAILED, -109, "MXAccess: authentication failed")                         \
  X(E_UNKNOWN_USER, -110, "MXAccess: unknown user")                                           \
  X(E_NOT_BUFFERED, -111, "MXAccess: the item is not a buffered item")                        \
  X(E_BACKEND_FAILURE, -112, "MXAccess: the backend failed")                                  \
  X(E_WORKER_TIMEOUT, -113, "MXAccess: the worker did not answer in time")                    \
  X(E_WORKER_GONE, -114, "MXAccess: the worker exited or faulted")

/* MXGW_OK, MXGW_E_PROTOCOL_VERSION, … as constants. */
#define MXGW_ERROR_ENUMERATOR_(name, value, text) MXGW_##name = value,
typedef enum mxgw_error { MXGW_ERROR_TABLE(MXGW_ERROR_ENUMERATOR_) } mxgw_error;
#undef MXGW_ERROR_ENUMERATOR_

/* What `code` means, in a few words; a static string, never NULL ("unknown error
 * code" for a code not in the table). Any thread. */
MXGW_API const char* mxgw_strerror(int code);
/* The code's name as written here ("MXGW_E_NOT_FOUND"); a static string, or NULL for
 * a code not in the table. Any thread. */
MXGW_API const char* mxgw_err_name(int code);
/* The detailed message of the last call on this thread that failed (the gateway's
 * or worker's own words where there are any); "" when none has. Valid until the
 * next failing call on this thread. */
MXGW_API const char* mxgw_last_error(void);

/* ---- clients: an embedded engine or a connection to a gateway ----------- */

typedef struct mxgw_client mxgw_client;
typedef struct mxgw_session mxgw_session;
typedef struct mxgw_subscription mxgw_subscription;

typedef struct mxgw_client_options {
  size_t struct_size; /* sizeof(mxgw_client_options), set by mxgw_client_options_init */
  /* Both modes. */
  const char* api_key;         /* remote: required; embedded: ignored (the
                                  embedding program is the engine's admin) */
  const char* client_name;     /* NULL: "libmxgw" */
  uint32_t request_timeout_ms; /* 0: wait for the gateway's own command timeout */
  uint32_t subscription_ring;  /* batches each subscription buffers; 0: 1024 */
  /* Remote mode. */
  uint32_t connect_timeout_ms; /* 0: 10000 */
  /* Embedded mode (ignored when remote). */
  uint32_t shards;             /* engine threads; 0: one per core */
  uint32_t max_sessions;       /* 0: 1024 */
  const char* worker_path;     /* NULL: $MXGW_WORKER, else mxgw-worker beside the
                                  program, beside libmxgw, or in ../bin from it */
  const char* default_backend; /* NULL: "sim" */
  uint32_t lease_ms;           /* 0: 30000; the library renews its sessions' leases */
} mxgw_client_options;

/* Fills `options` with the defaults (all zero) and its struct_size. Inline: the
 * size is the one this program was compiled with. Any thread. */
static inline void mxgw_client_options_init(mxgw_client_options* options) {
  memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
}

/* Starts an embedded engine ("embedded") or connects to a gateway ("tcp://host:port",
 * "unix:///path"), saying hello with options->api_key. `options` may be NULL for
 * all defaults; it is read during the call only. On success *out is a new handle
 * (free it with mxgw_client_free); on failure *out is NULL.
 * Errors: MXGW_E_INVALID_ARGUMENT (bad target or struct_size), MXGW_E_CONNECT (unreachable),
 * MXGW_E_UNAUTHENTICATED (wrong key), MXGW_E_COMMAND_TIMEOUT, MXGW_E_PROTOCOL_VERSION.
 * Any thread. */
MXGW_API int mxgw_client_open(const char* target, const mxgw_client_options* options, mxgw_client** out);

/* 1 for an embedded engine, 0 for a remote gateway. Any thread. */
MXGW_API int mxgw_client_is_embedded(const mxgw_client* client);

/* Closes every session this client opened (gracefully, within the engine's
 * shutdown timeout), ends every subscription, and stops the engine or the
 * connection. The handle stays valid (calls return MXGW_E_CLOSED) until freed.
 * Idempotent. Any thread except a callback of this client. */
MXGW_API int mxgw_client_close(mxgw_client* client);

/* Closes (as mxgw_client_close) if still open and frees the handle. Sessions and
 * subscriptions of this client that are not freed yet stay valid and answer
 * MXGW_E_CLOSED. NULL is allowed. Not concurrently with other calls on `client`. */
MXGW_API void mxgw_client_free(mxgw_client* client);

/* ---- sessions ----------------------------------------------------------- */

typedef struct mxgw_backend_option {
  const char* key;
  const char* value;
} mxgw_backend_option;

typedef struct mxgw_session_options {
  size_t struct_size;         /* sizeof(mxgw_session_options), set by mxgw_session_options_init */
  const char* name;           /* client session name; NULL: "client" */
  const char* backend;        /* NULL: the gateway's default ("sim") */
  int32_t command_timeout_ms; /* <= 0: the gateway's default */
  const mxgw_backend_option* backend_options;
  size_t backend_option_count;
} mxgw_session_options;

/* Fills `options` with the defaults (all zero) and its struct_size; inline, as
 * mxgw_client_options_init. Any thread. */
static inline void mxgw_session_options_init(mxgw_session_options* options) {
  memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
}

/* Opens a session: the gateway starts its worker and answers once it is ready.
 * `options` may be NULL; it is read during the call only. On success *out is a new
 * handle (free it with mxgw_session_free); on failure *out is NULL. Errors:
 * MXGW_E_SESSION_LIMIT, MXGW_E_OPEN_FAILED (with the worker's reason in
 * mxgw_last_error), MXGW_E_INVALID_ARGUMENT (bad struct_size or backend option),
 * MXGW_E_CLOSED, …. Any thread. */
MXGW_API int mxgw_session_open(mxgw_client* client, const mxgw_session_options* options, mxgw_session** out);

/* The session's id ("session-" and 32 hex digits); valid until mxgw_session_free. */
MXGW_API const char* mxgw_session_id(const mxgw_session* session);

/* Closes the session gracefully (its worker is told to shut down). Returns 0, or
 * MXGW_E_ALREADY_CLOSED when it had already ended. The handle stays valid (calls
 * return MXGW_E_CLOSED) until freed. Any thread. */
MXGW_API int mxgw_session_close(mxgw_session* session);

/* Closes the session if still open and frees the handle. Subscriptions of this
 * session stay valid until freed. NULL is allowed. Not concurrently with other
 * calls on `session`. */
MXGW_API void mxgw_session_free(mxgw_session* session);

/* ---- values and status -------------------------------------------------- */

/* MXAccess data types (mx_types.fbs MxDataType). */
#define MXGW_TYPE_NO_DATA 0
#define MXGW_TYPE_BOOLEAN 1
#define MXGW_TYPE_INTEGER 2 /* int32 */
#define MXGW_TYPE_FLOAT 3
#define MXGW_TYPE_DOUBLE 4
#define MXGW_TYPE_STRING 5
#define MXGW_TYPE_TIME 6         /* ns since the Unix epoch, UTC */
#define MXGW_TYPE_ELAPSED_TIME 7 /* ns */

/* A value, in or out. Out of an event, `string`, `elements` and `bytes` point into
 * the frame (valid as long as the event's batch); `length` counts string bytes
 * (without the terminating NUL, which is there), array elements or opaque bytes. */
typedef struct mxgw_value {
  int16_t type; /* MXGW_TYPE_*; other MXAccess types arrive opaque */
  uint8_t is_array;
  uint8_t is_opaque; /* a type the gateway carries as bytes */
  uint32_t length;
  union {
    int32_t boolean; /* 0 or 1 */
    int32_t integer;
    float real32;
    double real64;
    int64_t ns;           /* TIME, ELAPSED_TIME */
    const char* string;   /* NUL-terminated */
    const void* elements; /* arrays of uint8 (boolean), int32, float, double, int64
                             (time); string arrays via mxgw_value_string_at */
    const uint8_t* bytes; /* opaque */
  } v;
  const void* internal; /* string arrays: the library's view */
} mxgw_value;

/* Element i of a string array value: NUL-terminated, valid as the value; *length
 * (may be NULL) gets its byte count. NULL when i is out of range. */
MXGW_API const char* mxgw_value_string_at(const mxgw_value* value, uint32_t i, uint32_t* length);

/* Scalar values to write. `string` is copied by the write call. */
static inline mxgw_value mxgw_value_boolean(int v) {
  mxgw_value value = {MXGW_TYPE_BOOLEAN, 0, 0, 0, {0}, NULL};
  value.v.boolean = v ? 1 : 0;
  return value;
}
static inline mxgw_value mxgw_value_integer(int32_t v) {
  mxgw_value value = {MXGW_TYPE_INTEGER, 0, 0, 0, {0}, NULL};
  value.v.integer = v;
  return value;
}
static inline mxgw_value mxgw_value_float(float v) {
  mxgw_value value = {MXGW_TYPE_FLOAT, 0, 0, 0, {0}, NULL};
  value.v.real32 = v;
  return value;
}
static inline mxgw_value mxgw_value_double(double v) {
  mxgw_value value = {MXGW_TYPE_DOUBLE, 0, 0, 0, {0}, NULL};
  value.v.real64 = v;
  return value;
}
static inline mxgw_value mxgw_value_string(const char* v) {
  mxgw_value value = {MXGW_TYPE_STRING, 0, 0, 0, {0}, NULL};
  value.v.string = v;
  return value;
}

/* MXSTATUS_PROXY, as MXAccess reports it. */
typedef struct mxgw_status {
  int16_t success;    /* non-zero: success */
  int8_t category;    /* 0 Ok, 1 Pending, 2 Warning, 3 CommunicationError, 4
                         ConfigurationError, 5 OperationalError, 6 SecurityError,
                         7 SoftwareError, 8 OtherError, -1 Unknown */
  int8_t detected_by; /* MXAccess status source, -1 Unknown */
  int16_t detail;
} mxgw_status;

/* ---- commands (MXAccess, LMXProxyServer) ---------------------------------- */

/* Each call sends one command to the session's worker and waits for its reply.
 * A command the worker refuses returns its MXAccess error (MXGW_E_NOT_REGISTERED …
 * MXGW_E_WORKER_GONE) with the worker's message in mxgw_last_error(). All: any
 * thread, concurrently on the same session (replies are matched by correlation id). */
MXGW_API int mxgw_register(mxgw_session* s, const char* client_name, int32_t* server_handle);
MXGW_API int mxgw_unregister(mxgw_session* s, int32_t server_handle);
MXGW_API int mxgw_add_item(mxgw_session* s, int32_t server_handle, const char* item_def, int32_t* item_handle);
MXGW_API int mxgw_add_item2(mxgw_session* s, int32_t server_handle, const char* item_def, const char* item_context,
                            int32_t* item_handle);
MXGW_API int mxgw_add_buffered_item(mxgw_session* s, int32_t server_handle, const char* item_def,
                                    const char* item_context, int32_t* item_handle);
MXGW_API int mxgw_remove_item(mxgw_session* s, int32_t server_handle, int32_t item_handle);
MXGW_API int mxgw_advise(mxgw_session* s, int32_t server_handle, int32_t item_handle);
MXGW_API int mxgw_advise_supervisory(mxgw_session* s, int32_t server_handle, int32_t item_handle);
MXGW_API int mxgw_unadvise(mxgw_session* s, int32_t server_handle, int32_t item_handle);
MXGW_API int mxgw_suspend(mxgw_session* s, int32_t server_handle, int32_t item_handle);
MXGW_API int mxgw_activate(mxgw_session* s, int32_t server_handle, int32_t item_handle);
MXGW_API int mxgw_set_buffered_update_interval(mxgw_session* s, int32_t server_handle, int32_t interval_ms);

/* Batch forms: `count` items in one round trip. handles[i] receives each item
 * handle (AddItems) and errors[i] (may be NULL) each item's MXGW_E_* code or 0. The
 * call itself returns 0 when the batch was answered, even if some items failed. */
MXGW_API int mxgw_add_items(mxgw_session* s, int32_t server_handle, const char* const* item_defs, size_t count,
                            int32_t* item_handles, int32_t* errors);
MXGW_API int mxgw_advise_items(mxgw_session* s, int32_t server_handle, const int32_t* item_handles, size_t count,
                               int supervisory, int32_t* errors);

/* Writes complete twice: the reply (here, with *write_id, which may be NULL) says
 * the worker accepted the write; an MXGW_EVENT_WRITE_COMPLETE event with the same
 * write id says how it ended. `timestamp_ns` (Write2 forms) stamps the value. */
MXGW_API int mxgw_write(mxgw_session* s, int32_t server_handle, int32_t item_handle, const mxgw_value* value,
                        int32_t user_id, uint64_t* write_id);
MXGW_API int mxgw_write2(mxgw_session* s, int32_t server_handle, int32_t item_handle, const mxgw_value* value,
                         int64_t timestamp_ns, int32_t user_id, uint64_t* write_id);
MXGW_API int mxgw_write_secured(mxgw_session* s, int32_t server_handle, int32_t item_handle, int32_t current_user_id,
                                int32_t verifier_user_id, const mxgw_value* value, uint64_t* write_id);
MXGW_API int mxgw_write_secured2(mxgw_session* s, int32_t server_handle, int32_t item_handle, int32_t current_user_id,
                                 int32_t verifier_user_id, const mxgw_value* value, int64_t timestamp_ns,
                                 uint64_t* write_id);
MXGW_API int mxgw_authenticate_user(mxgw_session* s, int32_t server_handle, const char* user, const char* password,
                                    int32_t* user_id);
MXGW_API int mxgw_archestra_user_to_id(mxgw_session* s, int32_t server_handle, const char* user_guid, int32_t* user_id);

/* ---- subscriptions and events -------------------------------------------- */

#define MXGW_POLICY_LOSSLESS 0    /* backpressure up to the worker; nothing dropped */
#define MXGW_POLICY_CONFLATE 1    /* newest value per item while behind */
#define MXGW_POLICY_DROP_OLDEST 2 /* drops announced with MXGW_EVENT_GAP */
#define MXGW_POLICY_DISCONNECT 3  /* a slow subscription ends with MXGW_E_SLOW_CONSUMER */

typedef struct mxgw_subscribe_options {
  size_t struct_size;       /* sizeof(mxgw_subscribe_options), set by mxgw_subscribe_options_init */
  int32_t policy;           /* MXGW_POLICY_* */
  int32_t resume;           /* non-zero: start at resume_from_seq */
  uint64_t resume_from_seq; /* replayed from the session's window, or a gap */
} mxgw_subscribe_options;

/* Fills `options` with the defaults (lossless, no resume) and its struct_size;
 * inline, as mxgw_client_options_init. Any thread. */
static inline void mxgw_subscribe_options_init(mxgw_subscribe_options* options) {
  memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
}

/* Subscribes to the session's events; `options` may be NULL (lossless, from the
 * next event on); it is read during the call only. On success *out is a new handle
 * (free it with mxgw_subscription_free); on failure *out is NULL. Errors:
 * MXGW_E_INVALID_ARGUMENT (bad struct_size or policy), MXGW_E_CLOSED, …. Any thread;
 * the subscription is then polled by one thread. */
MXGW_API int mxgw_subscribe(mxgw_session* s, const mxgw_subscribe_options* options, mxgw_subscription** out);

/* The sequence number of an event; every event of a session has the next one. */
typedef uint64_t mxgw_seq;

/* A numeric data change exactly as the worker wrote it into the frame (events.fbs
 * DataChange, 32 bytes, little-endian): read in place, never copied. */
typedef struct mxgw_numeric_change {
  int32_t server_handle;
  int32_t item_handle;
  uint32_t quality;  /* OPC quality word (0xC0 good) */
  int16_t data_type; /* MXGW_TYPE_BOOLEAN, INTEGER, FLOAT, DOUBLE, TIME or ELAPSED_TIME */
  uint16_t reserved;
  int64_t source_time_ns;
  double value; /* the value, widened to double (TIME: ns as double) */
} mxgw_numeric_change;

#define MXGW_BATCH_REPLAYED 1u          /* sent from the replay window on resume */
#define MXGW_BATCH_GATEWAY_GENERATED 2u /* built by the gateway: gaps, session states */

/* A view of one batch. Valid until mxgw_release() or the next mxgw_poll() on its
 * subscription. */
typedef struct mxgw_batch {
  mxgw_seq first_seq;      /* sequence number of the batch's first event */
  uint32_t event_count;    /* events in the batch (gaps not counted) */
  uint32_t flags;          /* MXGW_BATCH_* */
  int64_t worker_time_ns;  /* when the worker sent it (Unix epoch, UTC) */
  int64_t gateway_time_ns; /* when the gateway received it */
  /* The batch's numeric data changes, in order. When numeric_count == event_count
   * they are the whole batch and numeric[i] has sequence number first_seq + i;
   * otherwise other events are interleaved: read them all with an mxgw_cursor. */
  const mxgw_numeric_change* numeric;
  uint32_t numeric_count;
  uint32_t gap_count;         /* MXGW_EVENT_GAP announcements in the batch */
  uint64_t coalesced_changes; /* changes the worker merged while held back */
  const void* internal;
} mxgw_batch;

/* Takes up to `max` ready batches, oldest first, into batches[0..n) and returns n
 * (0 when none is ready; never blocks). Releases what the previous poll handed out.
 * Returns MXGW_E_ENDED once the subscription has ended and everything was polled
 * (mxgw_subscription_end_code says why), MXGW_E_CLOSED after unsubscribe or a close of
 * its client. Embedded mode: no syscall and no allocation. One consumer thread. */
MXGW_API int mxgw_poll(mxgw_subscription* sub, mxgw_batch* batches, size_t max);

/* Gives back every batch the last poll handed out (their views become invalid),
 * so the producer can reuse the room. Optional: the next poll does it too. One
 * consumer thread. */
MXGW_API void mxgw_release(mxgw_subscription* sub);

/* Blocks until a batch is ready to poll, the subscription ends, or timeout_ms
 * passes (-1: no limit). Returns 1 when there is something to poll (or the end to
 * see), 0 on timeout, or an MXGW_E_* code. The consumer thread. */
MXGW_API int mxgw_wait(mxgw_subscription* sub, int32_t timeout_ms);

/* Why the subscription ended: 0 (its session closed), MXGW_E_SESSION_FAULTED (its
 * worker failed or was killed), MXGW_E_SLOW_CONSUMER, or the connection's error.
 * Only meaningful after mxgw_poll returned MXGW_E_ENDED (a closed client makes
 * mxgw_poll return MXGW_E_CLOSED instead). The consumer thread. */
MXGW_API int mxgw_subscription_end_code(const mxgw_subscription* sub);

/* Stops delivery; the subscription's handle answers MXGW_E_CLOSED from now on. In
 * callback mode it first stops the callback thread, which calls on_end(user, 0)
 * unless the subscription had ended already, before this returns (so never call it
 * from a callback). Any thread, but not concurrently with mxgw_poll on it. */
MXGW_API int mxgw_unsubscribe(mxgw_subscription* sub);

/* Unsubscribes if needed and frees the handle (stopping its callback thread first,
 * if any). NULL allowed. Not concurrently with other calls on `sub`. */
MXGW_API void mxgw_subscription_free(mxgw_subscription* sub);

/* Callback mode: the library's thread calls on_batch(user, batch) for each batch
 * in order, then on_end(user, end_code) exactly once, however the subscription
 * ends (on_end may be NULL):
 *   0                       mxgw_unsubscribe or mxgw_subscription_free (on_end has
 *                           run when they return), or its session closed;
 *   MXGW_E_SESSION_FAULTED  its worker failed or was killed;
 *   MXGW_E_CLOSED           its client was closed (on_end may run after
 *                           mxgw_client_close returns, on the callback thread);
 *   MXGW_E_SLOW_CONSUMER, … as mxgw_subscription_end_code.
 * Nothing is called after on_end. The batch view is valid during the call only. The
 * callbacks run on one thread per subscription and must not free this
 * subscription nor close its client. `options`, `out`: as mxgw_subscribe; on_batch
 * is required. Any thread. */
typedef void (*mxgw_batch_fn)(void* user, const mxgw_batch* batch);
typedef void (*mxgw_end_fn)(void* user, int end_code);
MXGW_API int mxgw_subscribe_callback(mxgw_session* s, const mxgw_subscribe_options* options, mxgw_batch_fn on_batch,
                                     mxgw_end_fn on_end, void* user, mxgw_subscription** out);

/* ---- reading every event: the cursor ------------------------------------- */

#define MXGW_EVENT_DATA_CHANGE 1          /* OnDataChange (numeric or any value) */
#define MXGW_EVENT_BUFFERED_DATA_CHANGE 2 /* OnBufferedDataChange: several samples */
#define MXGW_EVENT_WRITE_COMPLETE 3       /* OnWriteComplete */
#define MXGW_EVENT_OPERATION_COMPLETE 4   /* OperationComplete */
#define MXGW_EVENT_SESSION_STATE 5        /* the session changed state (gateway) */
#define MXGW_EVENT_GAP 6                  /* events [gap_first_seq, gap_last_seq] will not come */

#define MXGW_SESSION_READY 2
#define MXGW_SESSION_CLOSING 3
#define MXGW_SESSION_CLOSED 4
#define MXGW_SESSION_FAULTED 5

#define MXGW_GAP_DROPPED 0        /* drop-oldest: this subscriber was too slow */
#define MXGW_GAP_OUTSIDE_WINDOW 1 /* resume asked for events no longer kept */
#define MXGW_GAP_CONFLATED 2      /* conflate: intermediate values replaced */

/* One event, decoded from the frame in place: pointers in it point into the frame
 * and are valid as long as its batch. Fields not used by its kind are zero. */
typedef struct mxgw_event {
  int32_t kind;          /* MXGW_EVENT_* */
  uint32_t sample_count; /* BUFFERED_DATA_CHANGE: samples (mxgw_event_sample) */
  mxgw_seq seq;          /* its sequence number; GAP: 0 */
  int32_t server_handle;
  int32_t item_handle;
  mxgw_value value;       /* DATA_CHANGE */
  uint32_t quality;       /* DATA_CHANGE */
  int32_t session_state;  /* SESSION_STATE: MXGW_SESSION_* */
  int64_t source_time_ns; /* DATA_CHANGE */
  mxgw_status status;     /* first MXSTATUS entry (success when none) */
  uint32_t status_count;
  uint64_t write_id;      /* WRITE_COMPLETE */
  const char* reason;     /* SESSION_STATE: why (NUL-terminated; "" if none) */
  mxgw_seq gap_first_seq; /* GAP */
  mxgw_seq gap_last_seq;  /* GAP */
  int32_t gap_reason;     /* GAP: MXGW_GAP_* */
  const void* internal;
} mxgw_event;

/* Walks one batch's events: first its gaps, then every event in production order.
 * Plain storage the caller owns (on the stack is fine); no allocation. */
typedef struct mxgw_cursor {
  uint64_t opaque[8];
} mxgw_cursor;

MXGW_API void mxgw_cursor_init(mxgw_cursor* cursor, const mxgw_batch* batch);
/* Fills *event with the next event and returns 1, or returns 0 after the last. */
MXGW_API int mxgw_cursor_next(mxgw_cursor* cursor, mxgw_event* event);

/* Sample i of a BUFFERED_DATA_CHANGE event. Returns 0, or MXGW_E_INVALID_ARGUMENT
 * when i is out of range. */
MXGW_API int mxgw_event_sample(const mxgw_event* event, uint32_t i, mxgw_value* value, uint32_t* quality,
                               int64_t* source_time_ns);

#ifdef __cplusplus
}
#endif

#endif /* MXGW_H */
