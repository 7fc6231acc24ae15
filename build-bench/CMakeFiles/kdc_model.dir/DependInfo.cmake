
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/model/broker_faults.cc" "CMakeFiles/kdc_model.dir/model/broker_faults.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/broker_faults.cc.o.d"
  "/work/main/model/broker_produce.cc" "CMakeFiles/kdc_model.dir/model/broker_produce.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/broker_produce.cc.o.d"
  "/work/main/model/checker/explicit_checker.cc" "CMakeFiles/kdc_model.dir/model/checker/explicit_checker.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/checker/explicit_checker.cc.o.d"
  "/work/main/model/consumer.cc" "CMakeFiles/kdc_model.dir/model/consumer.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/consumer.cc.o.d"
  "/work/main/model/controller.cc" "CMakeFiles/kdc_model.dir/model/controller.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/controller.cc.o.d"
  "/work/main/model/delivery_ledger.cc" "CMakeFiles/kdc_model.dir/model/delivery_ledger.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/delivery_ledger.cc.o.d"
  "/work/main/model/effects.cc" "CMakeFiles/kdc_model.dir/model/effects.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/effects.cc.o.d"
  "/work/main/model/idempotence.cc" "CMakeFiles/kdc_model.dir/model/idempotence.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/idempotence.cc.o.d"
  "/work/main/model/invariants.cc" "CMakeFiles/kdc_model.dir/model/invariants.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/invariants.cc.o.d"
  "/work/main/model/model.cc" "CMakeFiles/kdc_model.dir/model/model.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/model.cc.o.d"
  "/work/main/model/partition_log.cc" "CMakeFiles/kdc_model.dir/model/partition_log.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/partition_log.cc.o.d"
  "/work/main/model/producer.cc" "CMakeFiles/kdc_model.dir/model/producer.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/producer.cc.o.d"
  "/work/main/model/replication.cc" "CMakeFiles/kdc_model.dir/model/replication.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/replication.cc.o.d"
  "/work/main/model/sink.cc" "CMakeFiles/kdc_model.dir/model/sink.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/sink.cc.o.d"
  "/work/main/model/verdict.cc" "CMakeFiles/kdc_model.dir/model/verdict.cc.o" "gcc" "CMakeFiles/kdc_model.dir/model/verdict.cc.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-bench/CMakeFiles/kdc_vocabulary.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
