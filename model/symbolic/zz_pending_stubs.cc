// (Named to sort last: in the static library an earlier member wins a symbol.)
// TEMPORARY while the encoding is written in parallel: weak definitions that a real
// definition in *_encoding.cc replaces. Deleted once every group is encoded.
#include <stdexcept>

#include "model/symbolic/encoding.h"

#define KDC_PENDING(name) throw std::logic_error("not encoded yet: " name)

namespace kdc::sym {
__attribute__((weak)) void producer_steps(const SymState&, StepSink*) { KDC_PENDING("producer_steps"); }
__attribute__((weak)) void produce_handling_steps(const SymState&, StepSink*) { KDC_PENDING("produce_handling_steps"); }
__attribute__((weak)) void transaction_steps(const SymState&, StepSink*) { KDC_PENDING("transaction_steps"); }
__attribute__((weak)) void replication_steps(const SymState&, StepSink*) { KDC_PENDING("replication_steps"); }
__attribute__((weak)) void controller_steps(const SymState&, StepSink*) { KDC_PENDING("controller_steps"); }
__attribute__((weak)) void consumer_steps(const SymState&, StepSink*) { KDC_PENDING("consumer_steps"); }
__attribute__((weak)) void local_consumer_steps(const SymState&, StepSink*) { KDC_PENDING("local_consumer_steps"); }
__attribute__((weak)) void broker_fault_steps(const SymState&, StepSink*) { KDC_PENDING("broker_fault_steps"); }
__attribute__((weak)) expr consumer_has_local_work(const SymConfig&, const SymState&) { KDC_PENDING("consumer_has_local_work"); }
__attribute__((weak)) expr waiting_requests(const SymProducer&) { KDC_PENDING("waiting_requests"); }
__attribute__((weak)) void remove_flight(SymProducer*, const expr&) { KDC_PENDING("remove_flight"); }
__attribute__((weak)) expr append_record(const SymConfig&, SymReplica*, const SymRecord&) { KDC_PENDING("append_record"); }
__attribute__((weak)) void truncate_to(SymReplica*, const expr&) { KDC_PENDING("truncate_to"); }
__attribute__((weak)) void lose_unflushed(SymReplica*) { KDC_PENDING("lose_unflushed"); }
__attribute__((weak)) SymEpochEnd epoch_end_offset(const SymReplica&, const expr&) { KDC_PENDING("epoch_end_offset"); }
__attribute__((weak)) expr divergence_offset(const SymConfig&, const SymReplica&, const SymReplica&) { KDC_PENDING("divergence_offset"); }
__attribute__((weak)) expr last_epoch(const SymReplica&) { KDC_PENDING("last_epoch"); }
__attribute__((weak)) expr epoch_start_offset(const SymReplica&, const expr&) { KDC_PENDING("epoch_start_offset"); }
__attribute__((weak)) expr last_stable_offset(const SymReplica&) { KDC_PENDING("last_stable_offset"); }
__attribute__((weak)) expr aborted_in_log(const SymReplica&, const expr&) { KDC_PENDING("aborted_in_log"); }
__attribute__((weak)) expr visible_to_reader(const SymReplica&, const expr&, const expr&) { KDC_PENDING("visible_to_reader"); }
__attribute__((weak)) expr latest_producer_epoch(const SymReplica&) { KDC_PENDING("latest_producer_epoch"); }
__attribute__((weak)) SymSequenceCheck check_sequence(const SymConfig&, const SymReplica&, const expr&, const expr&) { KDC_PENDING("check_sequence"); }
__attribute__((weak)) void maybe_advance_high_watermark(const SymConfig&, SymState*) { KDC_PENDING("maybe_advance_high_watermark"); }
__attribute__((weak)) void fence(const SymConfig&, SymState*, int) { KDC_PENDING("fence"); }
__attribute__((weak)) void unfence(const SymConfig&, SymState*, int) { KDC_PENDING("unfence"); }
__attribute__((weak)) void learn_leadership(const SymConfig&, SymState*, int) { KDC_PENDING("learn_leadership"); }
__attribute__((weak)) SymPolled polled_record(const SymRecord&, const expr&) { KDC_PENDING("polled_record"); }
__attribute__((weak)) void apply_to_sink(SymState*, const SymPolled&) { KDC_PENDING("apply_to_sink"); }
__attribute__((weak)) void mark_aborted(SymState*, const expr&, const expr&) { KDC_PENDING("mark_aborted"); }
__attribute__((weak)) expr delivered(const SymState&, int) { KDC_PENDING("delivered"); }
__attribute__((weak)) void restart_fenced_producer(const SymConfig&, SymState*) { KDC_PENDING("restart_fenced_producer"); }
__attribute__((weak)) void give_up_transaction(const SymConfig&, SymState*) { KDC_PENDING("give_up_transaction"); }
__attribute__((weak)) expr bump_coordinator_epoch(SymState*) { KDC_PENDING("bump_coordinator_epoch"); }
}  // namespace kdc::sym
