// to_value() and view_value(): one case per MXAccess type the protocol carries.

#include "engine/capi/value_codec.h"

#include <cstring>
#include <string>

namespace mxgw::capi {
namespace {

template <typename T>
std::vector<T> elements(const mxgw_value& in) {
  const auto* first = static_cast<const T*>(in.v.elements);
  return std::vector<T>(first, first + in.length);
}

Status array_value(const mxgw_value& in, proto::ValueT* out) {
  if (in.length && !in.v.elements) return {ErrorCode::InvalidArgument, "an array value without elements"};
  switch (in.type) {
    case MXGW_TYPE_BOOLEAN: {
      proto::BooleanArrayT array;
      for (uint8_t b : elements<uint8_t>(in)) array.v.push_back(b != 0);
      out->payload.Set(std::move(array));
      return {};
    }
    case MXGW_TYPE_INTEGER:
      out->payload.Set(proto::IntegerArrayT{{}, elements<int32_t>(in)});
      return {};
    case MXGW_TYPE_FLOAT:
      out->payload.Set(proto::FloatArrayT{{}, elements<float>(in)});
      return {};
    case MXGW_TYPE_DOUBLE:
      out->payload.Set(proto::DoubleArrayT{{}, elements<double>(in)});
      return {};
    case MXGW_TYPE_TIME:
      out->payload.Set(proto::TimeArrayT{{}, elements<int64_t>(in)});
      return {};
    case MXGW_TYPE_ELAPSED_TIME:
      out->payload.Set(proto::ElapsedTimeArrayT{{}, elements<int64_t>(in)});
      return {};
    case MXGW_TYPE_STRING: {
      proto::StringArrayT array;
      for (const char* s : elements<const char*>(in)) {
        if (!s) return {ErrorCode::InvalidArgument, "a NULL string in a string array"};
        array.v.emplace_back(s);
      }
      out->payload.Set(std::move(array));
      return {};
    }
    default:
      return {ErrorCode::InvalidArgument, "arrays of type " + std::to_string(in.type) + " cannot be written"};
  }
}

Status scalar_value(const mxgw_value& in, proto::ValueT* out) {
  switch (in.type) {
    case MXGW_TYPE_BOOLEAN:
      out->payload.Set(proto::BooleanValue(in.v.boolean != 0));
      return {};
    case MXGW_TYPE_INTEGER:
      out->payload.Set(proto::IntegerValue(in.v.integer));
      return {};
    case MXGW_TYPE_FLOAT:
      out->payload.Set(proto::FloatValue(in.v.real32));
      return {};
    case MXGW_TYPE_DOUBLE:
      out->payload.Set(proto::DoubleValue(in.v.real64));
      return {};
    case MXGW_TYPE_TIME:
      out->payload.Set(proto::TimeValue(in.v.ns));
      return {};
    case MXGW_TYPE_ELAPSED_TIME:
      out->payload.Set(proto::ElapsedTimeValue(in.v.ns));
      return {};
    case MXGW_TYPE_STRING:
      if (!in.v.string) return {ErrorCode::InvalidArgument, "a string value without its string"};
      out->payload.Set(proto::StringValueT{{}, in.v.string});
      return {};
    default:
      return {ErrorCode::InvalidArgument, "values of type " + std::to_string(in.type) + " cannot be written"};
  }
}

template <typename Vector>
void view_elements(const Vector* vector, mxgw_value* out) {
  if (!vector) return;
  out->length = vector->size();
  out->v.elements = vector->data();
}

}  // namespace

Status to_value(const mxgw_value& in, proto::ValueT* out) {
  out->data_type = static_cast<proto::MxDataType>(in.type);
  out->is_array = in.is_array != 0;
  if (in.is_opaque) return {ErrorCode::InvalidArgument, "opaque values cannot be written"};
  return in.is_array ? array_value(in, out) : scalar_value(in, out);
}

void view_value(const proto::Value* value, mxgw_value* out) {
  std::memset(out, 0, sizeof *out);
  if (!value) return;
  out->type = static_cast<int16_t>(value->data_type());
  out->is_array = value->is_array();
  switch (value->payload_type()) {
    case proto::ValueData::BooleanValue:
      out->v.boolean = value->payload_as_BooleanValue()->v();
      break;
    case proto::ValueData::IntegerValue:
      out->v.integer = value->payload_as_IntegerValue()->v();
      break;
    case proto::ValueData::FloatValue:
      out->v.real32 = value->payload_as_FloatValue()->v();
      break;
    case proto::ValueData::DoubleValue:
      out->v.real64 = value->payload_as_DoubleValue()->v();
      break;
    case proto::ValueData::TimeValue:
      out->v.ns = value->payload_as_TimeValue()->ns();
      break;
    case proto::ValueData::ElapsedTimeValue:
      out->v.ns = value->payload_as_ElapsedTimeValue()->ns();
      break;
    case proto::ValueData::StringValue:
      if (const auto* s = value->payload_as_StringValue()->v()) {
        out->v.string = s->c_str();
        out->length = s->size();
      } else {
        out->v.string = "";
      }
      break;
    case proto::ValueData::BooleanArray:
      view_elements(value->payload_as_BooleanArray()->v(), out);
      break;
    case proto::ValueData::IntegerArray:
      view_elements(value->payload_as_IntegerArray()->v(), out);
      break;
    case proto::ValueData::FloatArray:
      view_elements(value->payload_as_FloatArray()->v(), out);
      break;
    case proto::ValueData::DoubleArray:
      view_elements(value->payload_as_DoubleArray()->v(), out);
      break;
    case proto::ValueData::TimeArray:
      view_elements(value->payload_as_TimeArray()->ns(), out);
      break;
    case proto::ValueData::ElapsedTimeArray:
      view_elements(value->payload_as_ElapsedTimeArray()->ns(), out);
      break;
    case proto::ValueData::StringArray:
      if (const auto* strings = value->payload_as_StringArray()->v()) {
        out->length = strings->size();
        out->internal = strings;
      }
      break;
    case proto::ValueData::OpaqueValue:
      out->is_opaque = 1;
      view_elements(value->payload_as_OpaqueValue()->bytes(), out);
      break;
    case proto::ValueData::NONE:
      break;
  }
}

}  // namespace mxgw::capi

extern "C" const char* mxgw_value_string_at(const mxgw_value* value, uint32_t i, uint32_t* length) {
  if (!value || !value->internal || !value->is_array || value->type != MXGW_TYPE_STRING || i >= value->length) {
    return nullptr;
  }
  const auto* strings =
      static_cast<const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>*>(value->internal);
  const flatbuffers::String* s = strings->Get(i);
  if (length) *length = s->size();
  return s->c_str();
}
