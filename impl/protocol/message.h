// Everything that travels on the network: one Message, one of the request/response
// types of the other protocol headers. Messages are values passed between threads;
// impl/ does not serialise them (the network layer is about delivery, loss, delay and
// partitions, not about bytes).
#ifndef KDC_IMPL_PROTOCOL_MESSAGE_H_
#define KDC_IMPL_PROTOCOL_MESSAGE_H_

#include <variant>

#include "impl/protocol/controller.h"
#include "impl/protocol/fetch.h"
#include "impl/protocol/group.h"
#include "impl/protocol/produce.h"
#include "impl/protocol/txn.h"

namespace kdc::impl {

using Payload = std::variant<
    // produce.h
    ProduceRequest, ProduceResponse, MetadataRequest, MetadataResponse,
    // fetch.h
    FetchRequest, FetchResponse, OffsetsForLeaderEpochRequest, OffsetsForLeaderEpochResponse,
    ListOffsetsRequest, ListOffsetsResponse,
    // controller.h
    BrokerHeartbeatRequest, BrokerHeartbeatResponse, AlterPartitionRequest,
    AlterPartitionResponse, LeaderAndIsr,
    // group.h
    JoinGroupRequest, JoinGroupResponse, HeartbeatRequest, HeartbeatResponse,
    OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest, OffsetFetchResponse,
    // txn.h
    InitProducerIdRequest, InitProducerIdResponse, AddPartitionsToTxnRequest,
    AddPartitionsToTxnResponse, AddOffsetsToTxnRequest, AddOffsetsToTxnResponse,
    TxnOffsetCommitRequest, TxnOffsetCommitResponse, EndTxnRequest, EndTxnResponse,
    WriteTxnMarkersRequest, WriteTxnMarkersResponse>;

struct Message {
  NodeId from = -1;
  NodeId to = -1;
  Payload payload;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PROTOCOL_MESSAGE_H_
