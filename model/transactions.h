// Transactions (KIP-98, KIP-447, KIP-890): the transactional producer's side of the
// protocol, its transaction coordinator, and the consume-transform-produce processor.
//
// One transactional.id; one message per transaction. The application runs
//   beginTransaction(); send(m); [sendOffsetsToTransaction(m + 1)]; commitTransaction()
// and on an abortable error abortTransaction(). The coordinator answers EndTxn once the
// decision is logged (PrepareCommit/PrepareAbort) and then writes the marker to the
// partition leader; the transaction completes when the marker is below the high watermark.
// A new instance's InitProducerId bumps the epoch, aborting an open transaction of the old
// one first; requests of older epochs are fenced.
#ifndef KDC_MODEL_TRANSACTIONS_H_
#define KDC_MODEL_TRANSACTIONS_H_

#include "model/state.h"
#include "model/vocabulary/config.h"

namespace kdc {

// The application learns that its producer is fenced (ProducerFencedException, fatal): it
// closes it and creates a new instance, which must InitProducerId. The old instance's
// buffered record dies with it; requests already on the wire may still land (orphans).
void restart_fenced_producer(const Config& config, State* s);

// The open transaction's message will not commit (aborted, or its producer was fenced):
// app.on.send.error decides (resend it in a new transaction, or drop it). For the
// processor, app.on.txn.abort does (rewind to it, or go on without it).
void give_up_transaction(const Config& config, State* s);

// The coordinator bumps the transactional.id's epoch. False at the model's epoch bound.
bool bump_coordinator_epoch(State* s);

}  // namespace kdc

#endif  // KDC_MODEL_TRANSACTIONS_H_
