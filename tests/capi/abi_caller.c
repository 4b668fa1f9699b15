/* A program compiled against a frozen copy of mxgw.h as version 1 of the ABI
 * declared it (abi_v1/mxgw/mxgw.h), run against whichever libmxgw it was linked
 * with: today's, or one built against a later header whose options structs have
 * grown (tests/capi/CMakeLists.txt). It must keep working with both.
 *
 *   abi_caller CASE
 *
 * older_caller  every options struct ends exactly where an unreadable page begins,
 *               so a library that read past the caller's struct_size would crash;
 *               the program must run a session to the end all the same.
 * newer_caller  an options struct larger than the library knows: accepted when the
 *               unknown tail is zero, refused with MXGW_E_INVALID_ARGUMENT otherwise.
 * too_small     a struct_size below version 1's: refused.
 *
 * Exits 0 when every check of the case passed. */
#define _DEFAULT_SOURCE

#include <mxgw/mxgw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int failures;

#define CHECK_CODE(expr, expected)                                                                                  \
  do {                                                                                                              \
    int got_ = (expr);                                                                                              \
    if (got_ != (expected)) {                                                                                       \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d; last error: %s\n", __FILE__, __LINE__, #expr, got_, \
              mxgw_strerror(got_), (expected), mxgw_last_error());                                                  \
      ++failures;                                                                                                   \
    }                                                                                                               \
  } while (0)

/* Room for `size` bytes that ends exactly at a page nobody may read. */
static void* before_guard_page(size_t size) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  char* pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED || mprotect(pages + page, page, PROT_NONE) != 0) {
    perror("abi_caller: guard page");
    exit(1);
  }
  return pages + page - size;
}

static mxgw_client_options* guarded_client_options(void) {
  mxgw_client_options* options = before_guard_page(sizeof *options);
  mxgw_client_options_init(options);
  options->shards = 1;
  return options;
}

/* Polls until `wanted` events arrived; at most 200 waits of 100 ms. */
static uint32_t await_events(mxgw_subscription* sub, uint32_t wanted) {
  mxgw_batch batches[16];
  uint32_t seen = 0;
  int i, n, waits = 0;
  while (seen < wanted && waits < 200) {
    if ((n = mxgw_poll(sub, batches, 16)) < 0) break;
    for (i = 0; i < n; ++i) seen += batches[i].event_count;
    if (n == 0) {
      mxgw_wait(sub, 100);
      ++waits;
    }
  }
  return seen;
}

static void older_caller(void) {
  static mxgw_backend_option backend_options[] = {{"tags", "Pump:2"}, {"rate_ms", "10"}};
  mxgw_session_options* session_options = before_guard_page(sizeof *session_options);
  mxgw_subscribe_options* subscribe_options = before_guard_page(sizeof *subscribe_options);
  mxgw_client* client = NULL;
  mxgw_session* session = NULL;
  mxgw_subscription* sub = NULL;
  int32_t server, item;
  CHECK_CODE(MXGW_CHECK_VERSION(), MXGW_OK);
  mxgw_session_options_init(session_options);
  session_options->name = "abi-v1";
  session_options->backend = "sim";
  session_options->backend_options = backend_options;
  session_options->backend_option_count = 2;
  mxgw_subscribe_options_init(subscribe_options);
  subscribe_options->policy = MXGW_POLICY_LOSSLESS;
  CHECK_CODE(mxgw_client_open("embedded", guarded_client_options(), &client), MXGW_OK);
  if (!client) return;
  CHECK_CODE(mxgw_session_open(client, session_options, &session), MXGW_OK);
  if (session) {
    CHECK_CODE(mxgw_subscribe(session, subscribe_options, &sub), MXGW_OK);
    CHECK_CODE(mxgw_register(session, "abi-v1", &server), MXGW_OK);
    CHECK_CODE(mxgw_add_item(session, server, "Pump_001.Speed", &item), MXGW_OK);
    CHECK_CODE(mxgw_advise(session, server, item), MXGW_OK);
    if (sub && await_events(sub, 20) < 20) {
      fprintf(stderr, "abi_caller: fewer than 20 events arrived\n");
      ++failures;
    }
    CHECK_CODE(mxgw_session_close(session), MXGW_OK);
  }
  mxgw_subscription_free(sub);
  mxgw_session_free(session);
  CHECK_CODE(mxgw_client_close(client), MXGW_OK);
  mxgw_client_free(client);
}

/* The client options of a later version: this header's, then a field it lacks. */
typedef struct newer_client_options {
  mxgw_client_options v1;
  uint64_t added_later;
} newer_client_options;

static void newer_caller(void) {
  newer_client_options options;
  mxgw_client* client = NULL;
  memset(&options, 0, sizeof options);
  mxgw_client_options_init(&options.v1);
  options.v1.struct_size = sizeof options;
  options.v1.shards = 1;
  options.added_later = 7;
  CHECK_CODE(mxgw_client_open("embedded", &options.v1, &client), MXGW_E_INVALID_ARGUMENT);
  if (!strstr(mxgw_last_error(), "does not know")) {
    fprintf(stderr, "abi_caller: the refusal does not say why: %s\n", mxgw_last_error());
    ++failures;
  }
  options.added_later = 0;
  CHECK_CODE(mxgw_client_open("embedded", &options.v1, &client), MXGW_OK);
  CHECK_CODE(mxgw_client_close(client), MXGW_OK);
  mxgw_client_free(client);
}

static void too_small(void) {
  mxgw_client_options options;
  mxgw_session_options session_options;
  mxgw_subscribe_options subscribe_options;
  mxgw_client* client = NULL;
  mxgw_client_options_init(&options);
  options.struct_size = 0; /* never initialized */
  CHECK_CODE(mxgw_client_open("embedded", &options, &client), MXGW_E_INVALID_ARGUMENT);
  options.struct_size = offsetof(mxgw_client_options, lease_ms); /* version 1 without its last field */
  CHECK_CODE(mxgw_client_open("embedded", &options, &client), MXGW_E_INVALID_ARGUMENT);
  mxgw_client_options_init(&options);
  options.shards = 1;
  CHECK_CODE(mxgw_client_open("embedded", &options, &client), MXGW_OK);
  if (!client) return;
  mxgw_session_options_init(&session_options);
  session_options.struct_size = sizeof(size_t);
  mxgw_subscribe_options_init(&subscribe_options);
  subscribe_options.struct_size = offsetof(mxgw_subscribe_options, resume_from_seq);
  {
    mxgw_session* session = NULL;
    mxgw_subscription* sub = NULL;
    CHECK_CODE(mxgw_session_open(client, &session_options, &session), MXGW_E_INVALID_ARGUMENT);
    mxgw_session_options_init(&session_options);
    CHECK_CODE(mxgw_session_open(client, &session_options, &session), MXGW_OK);
    CHECK_CODE(mxgw_subscribe(session, &subscribe_options, &sub), MXGW_E_INVALID_ARGUMENT);
    mxgw_session_free(session);
  }
  mxgw_client_free(client);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: abi_caller older_caller|newer_caller|too_small\n");
    return 2;
  }
  if (strcmp(argv[1], "older_caller") == 0) {
    older_caller();
  } else if (strcmp(argv[1], "newer_caller") == 0) {
    newer_caller();
  } else if (strcmp(argv[1], "too_small") == 0) {
    too_small();
  } else {
    fprintf(stderr, "no case named %s\n", argv[1]);
    return 2;
  }
  if (failures) fprintf(stderr, "%s: %d check(s) failed\n", argv[1], failures);
  return failures ? 1 : 0;
}
