// A value of every kind the value model carries.

#include <utility>

#include "tests/fuzz/seed_messages.h"

namespace mxgw::fuzz {
namespace {

template <typename Payload>
proto::ValueT value(proto::MxDataType type, bool is_array, Payload payload) {
  proto::ValueT v;
  v.data_type = type;
  v.is_array = is_array;
  v.payload.Set(std::move(payload));
  return v;
}

template <typename Array, typename Elements>
Array array_of(Elements elements) {
  Array array;
  array.v = std::move(elements);
  return array;
}

template <typename Array>
Array times_of(std::vector<int64_t> ns) {
  Array array;
  array.ns = std::move(ns);
  return array;
}

}  // namespace

std::vector<proto::ValueT> every_value() {
  using T = proto::MxDataType;
  proto::StringValueT text;
  text.v = "Tank 42 \"north\", level";
  proto::OpaqueValueT opaque;
  opaque.bytes = {0x01, 0x00, 0xFF, 0x7F};
  std::vector<proto::ValueT> values;
  values.push_back(value(T::Boolean, false, proto::BooleanValue(true)));
  values.push_back(value(T::Integer, false, proto::IntegerValue(-42)));
  values.push_back(value(T::Float, false, proto::FloatValue(1.5f)));
  values.push_back(value(T::Double, false, proto::DoubleValue(-273.15)));
  values.push_back(value(T::Time, false, proto::TimeValue(1'764'349'265'123'456'789)));
  values.push_back(value(T::ElapsedTime, false, proto::ElapsedTimeValue(2'500'000'000)));
  values.push_back(value(T::String, false, std::move(text)));
  values.push_back(value(T::Boolean, true, array_of<proto::BooleanArrayT>(std::vector<bool>{true, false, true})));
  values.push_back(value(T::Integer, true, array_of<proto::IntegerArrayT>(std::vector<int32_t>{1, -2, 2147483647})));
  values.push_back(value(T::Float, true, array_of<proto::FloatArrayT>(std::vector<float>{0.25f, -8.0f})));
  values.push_back(value(T::Double, true, array_of<proto::DoubleArrayT>(std::vector<double>{1e-300, 6.02e23})));
  values.push_back(value(T::Time, true, times_of<proto::TimeArrayT>({0, 1'764'349'265'000'000'000})));
  values.push_back(value(T::ElapsedTime, true, times_of<proto::ElapsedTimeArrayT>({1, 1'000'000'000})));
  values.push_back(value(T::String, true, array_of<proto::StringArrayT>(std::vector<std::string>{"a", "", "ü"})));
  values.push_back(value(T::QualifiedStruct, false, std::move(opaque)));
  return values;
}

}  // namespace mxgw::fuzz
