// Building an item's hot state from its tag, and the cold paths of generation:
// quality runs, text values and the sine table.
//
// Each tag's parameters (phase, cycle length, amplitude, start count) are drawn from
// its own seed, so that instances of one attribute move differently while staying
// reproducible.

#include "worker/sim/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

namespace mxgw::sim {
namespace {

// Independent draws from a tag's seed, one per parameter.
enum Stream : std::uint64_t { kPhase = 1, kCycle, kAmplitude, kStart, kQuality, kWords };

std::uint64_t param_draw(std::uint64_t tag_seed, Stream stream) { return mix64(tag_seed ^ mix64(stream)); }

// The phase advance per update for a cycle of `cycle_s` seconds: the fraction of a
// cycle one period covers, as a 64-bit binary fraction. Periods longer than the
// cycle keep only the fractional part, which is what sampling a wave does.
std::uint64_t phase_step(std::int64_t period_ns, double cycle_s) {
  const double cycles = static_cast<double>(period_ns) * 1e-9 / cycle_s;
  const double fraction = cycles - std::floor(cycles);
  const double scaled = std::ldexp(fraction, 64);
  return scaled >= 0x1.0p64 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(scaled);
}

// Where a random walk that starts at update k starts, as a fraction of its range.
double walk_start(std::uint64_t tag_seed, std::int64_t k) {
  return unit_interval(draw(param_draw(tag_seed, kStart), static_cast<std::uint64_t>(k)));
}

}  // namespace

const double* sine_table() {
  static const std::array<double, 4097> table = [] {
    std::array<double, 4097> t{};
    for (std::size_t i = 0; i < t.size(); ++i) {
      t[i] = std::sin(2 * std::numbers::pi * static_cast<double>(i) / 4096);
    }
    return t;
  }();
  return table.data();
}

ItemState make_item_state(TagId tag, std::uint64_t seed, std::int64_t period_ns, std::int64_t k, bool quality_changes,
                          std::int32_t server_handle, std::int32_t item_handle) {
  const AttributeDef& def = attribute(tag);
  const std::uint64_t tag_seed = mix64(seed ^ mix64(tag.key()));
  const auto uk = static_cast<std::uint64_t>(k);
  ItemState s{};
  s.server_handle = server_handle;
  s.item_handle = item_handle;
  s.quality = quality_changes ? quality_at(tag_seed, k) : kQualityGood;
  s.data_type = def.data_type;
  s.kind = def.generator;
  s.float_precision = def.data_type == proto::MxDataType::Float;
  s.next_k = k;
  s.seed = tag_seed;
  // Cycles vary from half to one and a half times the attribute's nominal one.
  const double cycle_s = def.shape * (0.5 + unit_interval(param_draw(tag_seed, kCycle)));
  switch (def.generator) {
    case GeneratorKind::kCounter:
      s.phase = param_draw(tag_seed, kStart) % 100'000 + uk;
      break;
    case GeneratorKind::kToggle:
      s.step = 1 + param_draw(tag_seed, kStart) % 4;
      s.phase = param_draw(tag_seed, kPhase) + uk;
      break;
    case GeneratorKind::kRamp:
      s.offset = def.low;
      s.scale = def.high - def.low;
      s.step = phase_step(period_ns, cycle_s);
      s.phase = param_draw(tag_seed, kPhase) + uk * s.step;
      break;
    case GeneratorKind::kSine:
      s.offset = (def.low + def.high) / 2;
      s.scale = (def.high - def.low) / 2 * (0.5 + 0.5 * unit_interval(param_draw(tag_seed, kAmplitude)));
      s.step = phase_step(period_ns, cycle_s);
      s.phase = param_draw(tag_seed, kPhase) + uk * s.step;
      break;
    case GeneratorKind::kRandomWalk:
      s.offset = def.low;
      s.scale = def.high - def.low;
      s.step_size = def.shape * s.scale;
      s.value = def.low + s.scale * walk_start(tag_seed, k);
      break;
    case GeneratorKind::kText:
      s.step = tag.key();
      break;
    case GeneratorKind::kSetpoint:
      break;
  }
  return s;
}

void skip_to(ItemState& s, std::int64_t k, bool quality_changes) {
  const auto skipped = static_cast<std::uint64_t>(k - s.next_k);
  switch (s.kind) {
    case GeneratorKind::kCounter:
    case GeneratorKind::kToggle:
      s.phase += skipped;
      break;
    case GeneratorKind::kRamp:
    case GeneratorKind::kSine:
      s.phase += skipped * s.step;
      break;
    case GeneratorKind::kRandomWalk:
      s.value = s.offset + s.scale * walk_start(s.seed, k);
      break;
    case GeneratorKind::kText:
    case GeneratorKind::kSetpoint:
      break;
  }
  s.next_k = k;
  if (quality_changes) s.quality = quality_at(s.seed, k);
}

std::uint32_t quality_at(std::uint64_t tag_seed, std::int64_t k) {
  const std::uint64_t h = draw(param_draw(tag_seed, kQuality), static_cast<std::uint64_t>(k >> 6));
  if ((h & 15) != 0) return kQualityGood;
  constexpr std::uint32_t kOthers[] = {0x40, 0x18, 0x1C0};  // Uncertain, Bad comm failure, Good|LateData
  return kOthers[(h >> 4) % 3];
}

std::string_view text_at(const ItemState& state, std::int64_t k, char (&buffer)[32]) {
  const auto words = attribute(TagId::from_key(state.step)).words;
  const auto run = static_cast<std::uint64_t>(k >> 4);
  const std::string_view word = words[draw(param_draw(state.seed, kWords), run) % words.size()];
  // Formatted by hand: snprintf would be most of the cost of a text update.
  const std::size_t n = std::min(word.size(), sizeof buffer - 5);
  std::memcpy(buffer, word.data(), n);
  buffer[n] = '-';
  std::uint64_t number = run % 10000;
  for (std::size_t i = n + 4; i > n; --i) {
    buffer[i] = static_cast<char>('0' + number % 10);
    number /= 10;
  }
  return std::string_view(buffer, n + 5);
}

}  // namespace mxgw::sim
