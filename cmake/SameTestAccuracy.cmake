# cmake -DTRAIN=<cmd|...> -DEVALUATE=<cmd|...> -P SameTestAccuracy.cmake
# Runs a training command, then an evaluation-only command (--epochs 0) on what it saved, and
# fails unless both print the same "test accuracy: ..." line. Lists are separated by '|'
# because ';' would be split by add_test().
foreach(run IN ITEMS TRAIN EVALUATE)
    string(REPLACE "|" ";" command "${${run}}")
    execute_process(COMMAND ${command} OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
        message(FATAL_ERROR "${run} failed (${status}):\n${output}\n${errors}")
    endif()
    if(NOT output MATCHES "test accuracy: [^\n]*")
        message(FATAL_ERROR "${run} printed no test accuracy:\n${output}")
    endif()
    set(line_${run} "${CMAKE_MATCH_0}")
    message(STATUS "${run}: ${CMAKE_MATCH_0}")
endforeach()
if(NOT line_TRAIN STREQUAL line_EVALUATE)
    message(FATAL_ERROR "the reloaded weights give '${line_EVALUATE}', the training run printed '${line_TRAIN}'")
endif()
