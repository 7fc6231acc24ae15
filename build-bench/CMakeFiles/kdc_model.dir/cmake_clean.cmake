file(REMOVE_RECURSE
  "CMakeFiles/kdc_model.dir/model/broker_faults.cc.o"
  "CMakeFiles/kdc_model.dir/model/broker_faults.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/broker_produce.cc.o"
  "CMakeFiles/kdc_model.dir/model/broker_produce.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/checker/explicit_checker.cc.o"
  "CMakeFiles/kdc_model.dir/model/checker/explicit_checker.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/consumer.cc.o"
  "CMakeFiles/kdc_model.dir/model/consumer.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/controller.cc.o"
  "CMakeFiles/kdc_model.dir/model/controller.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/delivery_ledger.cc.o"
  "CMakeFiles/kdc_model.dir/model/delivery_ledger.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/effects.cc.o"
  "CMakeFiles/kdc_model.dir/model/effects.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/idempotence.cc.o"
  "CMakeFiles/kdc_model.dir/model/idempotence.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/invariants.cc.o"
  "CMakeFiles/kdc_model.dir/model/invariants.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/model.cc.o"
  "CMakeFiles/kdc_model.dir/model/model.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/partition_log.cc.o"
  "CMakeFiles/kdc_model.dir/model/partition_log.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/producer.cc.o"
  "CMakeFiles/kdc_model.dir/model/producer.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/replication.cc.o"
  "CMakeFiles/kdc_model.dir/model/replication.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/sink.cc.o"
  "CMakeFiles/kdc_model.dir/model/sink.cc.o.d"
  "CMakeFiles/kdc_model.dir/model/verdict.cc.o"
  "CMakeFiles/kdc_model.dir/model/verdict.cc.o.d"
  "libkdc_model.a"
  "libkdc_model.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kdc_model.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
