/* mxgw.h and mxgw_plugin.h in one translation unit, as a program that embeds the
 * engine and ships its own backend plugin has them: no name clashes, and the
 * numbers the two headers share (MXAccess data types, command errors) agree.
 * Exits 0 when they do. */
#include <mxgw/mxgw.h>
#include <mxgw/mxgw_plugin.h>

#include <stdio.h>

static int failures;

#define AGREE(a, b)                                                                                   \
  do {                                                                                                \
    if ((a) != (b)) {                                                                                 \
      fprintf(stderr, "%s:%d: %s (%d) != %s (%d)\n", __FILE__, __LINE__, #a, (int)(a), #b, (int)(b)); \
      ++failures;                                                                                     \
    }                                                                                                 \
  } while (0)

/* A plugin's result reaches a libmxgw caller as the command's MXGW_E_* code. */
static int as_command_error(int plugin_result) {
  return plugin_result == MXGW_PLUGIN_OK ? MXGW_OK : -100 - plugin_result;
}

int main(void) {
  mxgw_value value = mxgw_value_double(1.5);
  mxgw_plugin_value plugin_value = {MXGW_PLUGIN_TYPE_DOUBLE, 1.5, 0, NULL, 0};
  mxgw_status status = {1, 0, -1, 0};
  mxgw_plugin_status plugin_status = {1, 0, -1, 0};

  AGREE(MXGW_TYPE_BOOLEAN, MXGW_PLUGIN_TYPE_BOOLEAN);
  AGREE(MXGW_TYPE_INTEGER, MXGW_PLUGIN_TYPE_INTEGER);
  AGREE(MXGW_TYPE_FLOAT, MXGW_PLUGIN_TYPE_FLOAT);
  AGREE(MXGW_TYPE_DOUBLE, MXGW_PLUGIN_TYPE_DOUBLE);
  AGREE(MXGW_TYPE_STRING, MXGW_PLUGIN_TYPE_STRING);
  AGREE(MXGW_TYPE_TIME, MXGW_PLUGIN_TYPE_TIME);
  AGREE(MXGW_TYPE_ELAPSED_TIME, MXGW_PLUGIN_TYPE_ELAPSED_TIME);
  AGREE(value.type, plugin_value.data_type);

  AGREE(as_command_error(MXGW_PLUGIN_OK), MXGW_OK);
  AGREE(as_command_error(MXGW_PLUGIN_E_UNKNOWN_TAG), MXGW_E_UNKNOWN_TAG);
  AGREE(as_command_error(MXGW_PLUGIN_E_READ_ONLY), MXGW_E_READ_ONLY);
  AGREE(as_command_error(MXGW_PLUGIN_E_TYPE_MISMATCH), MXGW_E_TYPE_MISMATCH);
  AGREE(as_command_error(MXGW_PLUGIN_E_INVALID_ARGUMENT), MXGW_E_COMMAND_INVALID_ARGUMENT);
  AGREE(as_command_error(MXGW_PLUGIN_E_AUTHENTICATION_FAILED), MXGW_E_AUTHENTICATION_FAILED);
  AGREE(as_command_error(MXGW_PLUGIN_E_UNKNOWN_USER), MXGW_E_UNKNOWN_USER);
  AGREE(as_command_error(MXGW_PLUGIN_E_BACKEND_FAILURE), MXGW_E_BACKEND_FAILURE);

  AGREE(sizeof status, sizeof plugin_status);
  AGREE(status.detected_by, plugin_status.detected_by);
  if (failures) fprintf(stderr, "both_headers: %d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
