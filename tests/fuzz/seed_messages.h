// Valid messages of every kind of the worker and client protocols, built with the
// flatbuffers object API: the seeds of the fuzz corpus (make_corpus.cc).
//
// Thread safety: each call builds fresh payloads.

#pragma once

#include <string>
#include <vector>

#include <mxgw/schema/mx_types_generated.h>
#include <mxgw/transport/slab.h>

namespace mxgw::fuzz {

struct Seed {
  std::string name;  // the corpus file name
  transport::SharedBytes payload;
};

// A value of every ValueData kind, each with a data type that carries it.
std::vector<proto::ValueT> every_value();

// WorkerFrame payloads ("MXWP"): the handshake both ways (the hello proves
// kSessionId), every command and every reply body.
std::vector<Seed> worker_seeds();
// EventBatch payloads ("MXEV"): each event kind alone, every value, and a mix.
std::vector<Seed> event_seeds();
// ClientFrame payloads ("MXCP"): every request and every answer.
std::vector<Seed> client_seeds();

}  // namespace mxgw::fuzz
