/* The smallest useful libmxgw program: checks the header against the library, then
 * runs an embedded engine with one sim session and waits for a few data changes.
 * Exits 0 when it saw them and everything closed cleanly. */
#include <mxgw/mxgw.h>

#include <stdio.h>

static int failed(const char* what, int code) {
  fprintf(stderr, "consumer: %s: %s (%s)\n", what, mxgw_strerror(code), mxgw_last_error());
  return 1;
}

/* Polls until `wanted` events arrived; gives up after 200 waits of up to 100 ms. */
static int await_events(mxgw_subscription* sub, uint32_t wanted) {
  mxgw_batch batches[16];
  uint32_t seen = 0;
  int waits = 0;
  while (seen < wanted && waits < 200) {
    int i, n = mxgw_poll(sub, batches, 16);
    if (n < 0) return failed("poll", n);
    for (i = 0; i < n; ++i) seen += batches[i].event_count;
    if (n == 0) {
      mxgw_wait(sub, 100);
      ++waits;
    }
  }
  printf("consumer: %u events\n", (unsigned)seen);
  return seen >= wanted ? 0 : failed("too few events", MXGW_E_COMMAND_TIMEOUT);
}

int main(void) {
  mxgw_backend_option backend_options[] = {{"tags", "Pump:4"}, {"rate_ms", "10"}};
  mxgw_session_options session_options;
  mxgw_client* client = NULL;
  mxgw_session* session = NULL;
  mxgw_subscription* sub = NULL;
  int32_t server, item;
  int code, status = 1;
  printf("consumer: libmxgw %s (built against %s)\n", mxgw_version_string(), MXGW_VERSION_STRING);
  if ((code = MXGW_CHECK_VERSION()) != MXGW_OK) return failed("version", code);
  mxgw_session_options_init(&session_options);
  session_options.name = "consumer";
  session_options.backend = "sim";
  session_options.backend_options = backend_options;
  session_options.backend_option_count = 2;
  if ((code = mxgw_client_open("embedded", NULL, &client)) != MXGW_OK) {
    failed("client", code);
  } else if ((code = mxgw_session_open(client, &session_options, &session)) != MXGW_OK) {
    failed("session", code);
  } else if ((code = mxgw_subscribe(session, NULL, &sub)) != MXGW_OK ||
             (code = mxgw_register(session, "consumer", &server)) != MXGW_OK ||
             (code = mxgw_add_item(session, server, "Pump_001.Speed", &item)) != MXGW_OK ||
             (code = mxgw_advise(session, server, item)) != MXGW_OK) {
    failed("subscribe and advise", code);
  } else {
    status = await_events(sub, 20);
  }
  mxgw_subscription_free(sub);
  mxgw_session_free(session);
  if (client && (code = mxgw_client_close(client)) != MXGW_OK) status = failed("close", code);
  mxgw_client_free(client);
  return status;
}
