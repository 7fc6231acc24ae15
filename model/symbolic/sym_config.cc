#include "model/symbolic/sym_config.h"

#include <algorithm>
#include <stdexcept>

#include "model/bounds.h"

namespace kdc::sym {

int version_rank(const KafkaVersion& v) {
  int rank = 0;
  for (const KafkaVersion& t : kVersionThresholds) rank += v >= t;
  return rank;
}

expr SymConfig::at_least(const KafkaVersion& v) const {
  for (size_t i = 0; i < std::size(kVersionThresholds); ++i)
    if (kVersionThresholds[i] == v) return version_rank >= num(int(i) + 1);
  throw std::logic_error("at_least: " + v.str() + " is not in kVersionThresholds");
}

SymConfig constant(const Config& c) {
  SymConfig s;
  s.replication_factor = c.replication_factor;
  s.messages = c.messages;
  s.max_leader_epoch = std::min(c.max_leader_epoch, kMaxLeaderEpoch);
  s.faults = c.faults;
  s.version_rank = num(version_rank(c.version));
  s.acks = num(int(c.acks));
  s.retries = num(int(std::min<int64_t>(c.retries, kMaxRetriesTracked + 1)));
  s.idempotence = truth(c.idempotence);
  s.max_in_flight = num(std::min(c.max_in_flight, kMaxBatches + 1));
  s.transactional = truth(c.transactional);
  s.min_insync_replicas = num(c.min_insync_replicas);
  s.unclean_leader_election = truth(c.unclean_leader_election);
  s.flush_interval_messages = num(int(std::min<int64_t>(c.flush_interval_messages, kMaxLog + 1)));
  s.eligible_leader_replicas = truth(c.eligible_leader_replicas);
  s.transaction_verification = truth(c.transaction_verification);
  s.epoch_bump_per_transaction = truth(c.epoch_bump_per_transaction);
  s.enable_auto_commit = truth(c.enable_auto_commit);
  s.auto_offset_reset = num(int(c.auto_offset_reset));
  s.isolation = num(int(c.isolation));
  s.on_send_error = num(int(c.on_send_error));
  s.on_producer_restart = num(int(c.on_producer_restart));
  s.processing = num(int(c.processing));
  s.commit = num(int(c.commit));
  s.on_txn_abort = num(int(c.on_txn_abort));
  s.output_isolation = num(int(c.output_isolation));
  return s;
}

}  // namespace kdc::sym
