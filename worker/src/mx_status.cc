// Mapping command errors to MXAccess status categories.

#include "worker/src/mx_status.h"

namespace mxgw::worker {

using proto::CommandError;

proto::MxStatus status_for(CommandError error) {
  using proto::MxStatusCategory;
  using proto::MxStatusSource;
  MxStatusCategory category = MxStatusCategory::Ok;
  switch (error) {
    case CommandError::None:
      return proto::MxStatus(1, MxStatusCategory::Ok, MxStatusSource::RespondingLmx, 0);
    case CommandError::NotRegistered:
    case CommandError::UnknownServerHandle:
    case CommandError::UnknownItemHandle:
    case CommandError::NotAdvised:
    case CommandError::NotBuffered:
      category = MxStatusCategory::OperationalError;
      break;
    case CommandError::UnknownTag:
    case CommandError::ReadOnly:
    case CommandError::TypeMismatch:
    case CommandError::InvalidArgument:
      category = MxStatusCategory::ConfigurationError;
      break;
    case CommandError::AuthenticationFailed:
    case CommandError::UnknownUser:
      category = MxStatusCategory::SecurityError;
      break;
    case CommandError::Timeout:
    case CommandError::WorkerGone:
      category = MxStatusCategory::CommunicationError;
      break;
    case CommandError::BackendFailure:
      category = MxStatusCategory::SoftwareError;
      break;
  }
  return proto::MxStatus(0, category, MxStatusSource::RespondingLmx, static_cast<int16_t>(error));
}

}  // namespace mxgw::worker
