// Writes the fuzz targets' seed corpus: valid payloads and streams of every message
// kind of the worker and client protocols, built with the real flatbuffers builders
// and checked by the real verifier, so that fuzzing starts from inputs that reach
// past verification into what reads them.
//
//   fuzz_make_corpus OUT_DIR    writes OUT_DIR/{worker_frame,client_frame,frame_decoder}/
//
// tests/fuzz/corpus/ holds its output, committed; the CSV seeds of replay_csv are
// written by hand. The build runs it too and replays what it writes, so the
// generator keeps building valid frames as the schemas change.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <mxgw/transport/frame_verifier.h>

#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_messages.h"
#include "tests/transport/frame_bytes.h"

namespace {

using namespace mxgw;
using transport::FrameKind;
namespace fs = std::filesystem;

using Bytes = std::vector<std::byte>;

void write(const fs::path& dir, const std::string& name, const Bytes& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
    std::exit(1);
  }
}

// A verified payload of `kind`, as bytes.
Bytes checked(FrameKind kind, const fuzz::Seed& seed) {
  fuzz::expect_ok(transport::verify_payload(kind, fuzz::as_received(seed.payload).bytes()),
                  ("seed " + seed.name + " does not verify").c_str());
  return {seed.payload.bytes().begin(), seed.payload.bytes().end()};
}

// A decoder input: the preamble, then the frames.
Bytes stream(uint8_t limits, uint8_t split, const std::vector<std::pair<FrameKind, Bytes>>& frames) {
  Bytes out{std::byte{limits}, std::byte{split}};
  for (const auto& [kind, payload] : frames) transport::testing::append_frame(out, kind, payload);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  std::vector<std::pair<FrameKind, Bytes>> worker, events, client;
  for (const fuzz::Seed& seed : fuzz::worker_seeds()) {
    worker.emplace_back(FrameKind::WorkerControl, checked(FrameKind::WorkerControl, seed));
    write(out / "worker_frame", seed.name, worker.back().second);
  }
  for (const fuzz::Seed& seed : fuzz::event_seeds()) {
    events.emplace_back(FrameKind::Events, checked(FrameKind::Events, seed));
    write(out / "worker_frame", seed.name, events.back().second);
  }
  for (const fuzz::Seed& seed : fuzz::client_seeds()) {
    client.emplace_back(FrameKind::ClientControl, checked(FrameKind::ClientControl, seed));
    write(out / "client_frame", seed.name, client.back().second);
  }
  // ClientEvents: a subscriber's prefix in front of each worker batch.
  std::vector<std::pair<FrameKind, Bytes>> deliveries;
  for (const auto& [kind, batch] : events) {
    const proto::ClientEventPrefix prefix(1, 1, 1, 0, 1'700'000'000'000'000'000);
    Bytes payload(reinterpret_cast<const std::byte*>(&prefix), reinterpret_cast<const std::byte*>(&prefix + 1));
    payload.insert(payload.end(), batch.begin(), batch.end());
    deliveries.emplace_back(FrameKind::ClientEvents, std::move(payload));
  }
  // One stream per protocol and direction, under limits from roomy to tight, split
  // into chunks in several ways; and each kind alone.
  const uint8_t limits[] = {0x7F, 0xE3, 0x41, 0x20};
  for (size_t i = 0; i < std::size(limits); ++i) {
    const uint8_t split = static_cast<uint8_t>(i * 37);
    const std::string suffix = "_" + std::to_string(i);
    write(out / "frame_decoder", "worker_control" + suffix, stream(limits[i], split, worker));
    write(out / "frame_decoder", "events" + suffix, stream(limits[i], split, events));
    write(out / "frame_decoder", "client_control" + suffix, stream(limits[i], split, client));
    write(out / "frame_decoder", "client_events" + suffix, stream(limits[i], split, deliveries));
  }
  write(out / "frame_decoder", "one_event_batch", stream(0xFF, 1, {events.front()}));
  write(out / "frame_decoder", "one_client_delivery", stream(0xFF, 2, {deliveries.back()}));
  return 0;
}
