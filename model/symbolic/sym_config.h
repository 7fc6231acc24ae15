// The configuration as the symbolic engine sees it. The run's shape stays concrete
// (replication.factor, model.messages, the fault budget): it decides how many brokers
// and messages there are. Every knob that changes behaviour is a Z3 term, so one
// encoding answers for one configuration (constants) or for the whole space (variables:
// model/symbolic/config_space.h).
//
// Terms use SymState's conventions (16-bit ints, booleans as Bool): acks is the Acks
// value, retries and flush.messages are saturated where the model cannot tell larger
// values apart.
#ifndef KDC_MODEL_SYMBOLIC_SYM_CONFIG_H_
#define KDC_MODEL_SYMBOLIC_SYM_CONFIG_H_

#include "model/symbolic/sym_state.h"
#include "model/vocabulary/config.h"

namespace kdc::sym {

// The Kafka versions at which a modelled behaviour changes (every KafkaVersion{...} the
// model compares against). A version is encoded by how many of these it has reached.
inline constexpr KafkaVersion kVersionThresholds[] = {
    {0, 11, 0}, {0, 11, 2}, {2, 0, 0}, {2, 1, 0}, {2, 5, 0}, {2, 7, 0}, {3, 7, 0}};
int version_rank(const KafkaVersion& v);

struct SymConfig {
  // Shape (concrete).
  int replication_factor = 1;
  int messages = 2;
  int max_leader_epoch = kMaxLeaderEpoch;  // min(model.max.leader.epoch, kMaxLeaderEpoch)
  FaultBudget faults;

  // Knobs (terms).
  expr version_rank = num(0);
  expr acks = num(0);                    // Acks
  expr retries = num(0);                 // min(retries, kMaxRetriesTracked + 1)
  expr idempotence = truth(false);
  expr max_in_flight = num(5);
  expr transactional = truth(false);
  expr min_insync_replicas = num(1);
  expr unclean_leader_election = truth(false);
  expr flush_interval_messages = num(0);  // min(flush.messages, kMaxLog + 1)
  expr eligible_leader_replicas = truth(false);
  expr transaction_verification = truth(false);
  expr epoch_bump_per_transaction = truth(false);
  expr enable_auto_commit = truth(true);
  expr auto_offset_reset = num(0);       // OffsetReset
  expr isolation = num(0);               // Isolation
  expr on_send_error = num(0);           // OnSendError
  expr on_producer_restart = num(0);     // OnProducerRestart
  expr processing = num(0);              // Processing
  expr commit = num(0);                  // CommitMode
  expr on_txn_abort = num(0);            // OnTxnAbort
  expr output_isolation = num(1);        // Isolation

  // c.version >= v (v must be one of kVersionThresholds).
  expr at_least(const KafkaVersion& v) const;
  // The queries Config defines, over terms.
  expr processor() const { return commit == num(int(CommitMode::kTransactional)); }
  expr offsets_in_sink() const {
    return commit == num(int(CommitMode::kExternalAtomic)) || processor();
  }
  expr application_commits() const {
    return commit != num(int(CommitMode::kAuto)) && !offsets_in_sink();
  }
  expr reader_isolation() const { return z3::ite(processor(), output_isolation, isolation); }
};

// A configuration as constants.
SymConfig constant(const Config& c);

}  // namespace kdc::sym

#endif  // KDC_MODEL_SYMBOLIC_SYM_CONFIG_H_
