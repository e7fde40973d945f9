# Compile-fail test runner: passes only when a source file is REJECTED by the compiler with the
# expected diagnostics.
#
#   cmake -DCOMPILER=<c++> -DCOMPILER_ID=<GNU|Clang> -DSOURCE=<file.cpp>
#         [-DINCLUDE_DIRS=<dir>|<dir>...] [-DFLAGS=<flag>|<flag>...] -P CompileFail.cmake
#
# Lists are separated by '|' because ';' would be split by add_test().
#
# The source declares what the compiler must say, one regular expression per line:
#   // expect: <regex>          for every compiler
#   // expect-gcc: <regex>      only for GCC
#   // expect-clang: <regex>    only for Clang
# Each regex must match at least one single line among the first 25 lines of the compiler's
# output (stdout and stderr merged, colours off, LC_ALL=C so GCC quotes with plain '). 25 lines is
# what a user reads before giving up, so a diagnostic that only appears later does not count.
# The regex dialect is CMake's: . * + ? [] [^] () | ^ $, no \d, no {n}; escape ( ) [ ] . + * ?
# with a backslash. A file must carry at least one expect line of some kind.
cmake_minimum_required(VERSION 3.25)

set(max_lines 25)

foreach(var COMPILER COMPILER_ID SOURCE)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "CompileFail.cmake: -D${var}=... is required")
    endif()
endforeach()

# CMake lists are split at ';' (and not inside [...]), and '\' escapes; compiler output and
# regexes are full of all three, so they are swapped for control characters while the text is
# held as a list of lines, and swapped back line by line.
string(ASCII 1 esc_backslash)
string(ASCII 2 esc_semicolon)
string(ASCII 3 esc_open)
string(ASCII 4 esc_close)

function(split_lines text out)
    string(REPLACE "\\" "${esc_backslash}" text "${text}")
    string(REPLACE ";" "${esc_semicolon}" text "${text}")
    string(REPLACE "[" "${esc_open}" text "${text}")
    string(REPLACE "]" "${esc_close}" text "${text}")
    string(REPLACE "\r" "" text "${text}")
    string(REGEX REPLACE "\n$" "" text "${text}")
    string(REPLACE "\n" ";" text "${text}")
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(decode_line line out)
    string(REPLACE "${esc_backslash}" "\\" line "${line}")
    string(REPLACE "${esc_semicolon}" ";" line "${line}")
    string(REPLACE "${esc_open}" "[" line "${line}")
    string(REPLACE "${esc_close}" "]" line "${line}")
    set(${out} "${line}" PARENT_SCOPE)
endfunction()

if(COMPILER_ID STREQUAL "GNU")
    set(compiler_tag gcc)
    set(colour_flag -fdiagnostics-color=never)
elseif(COMPILER_ID MATCHES "Clang")
    set(compiler_tag clang)
    set(colour_flag -fno-color-diagnostics)
else()
    message(FATAL_ERROR "CompileFail.cmake: unsupported compiler id '${COMPILER_ID}'")
endif()

# --- expectations -------------------------------------------------------------------------
file(READ "${SOURCE}" source_text)
split_lines("${source_text}" source_lines)
set(expectations "")   # indices into expect_<n>
set(expect_count 0)
set(total_expect_lines 0)
foreach(encoded IN LISTS source_lines)
    decode_line("${encoded}" line)
    if(line MATCHES "^[ \t]*//[ \t]*expect(-gcc|-clang)?:[ \t]*(.*)$")
        math(EXPR total_expect_lines "${total_expect_lines} + 1")
        set(scope "${CMAKE_MATCH_1}")
        string(STRIP "${CMAKE_MATCH_2}" regex)
        if(regex STREQUAL "")
            message(FATAL_ERROR "${SOURCE}: empty regex in line: ${line}")
        endif()
        if(scope STREQUAL "" OR scope STREQUAL "-${compiler_tag}")
            set(expect_${expect_count} "${regex}")
            math(EXPR expect_count "${expect_count} + 1")
        endif()
    endif()
endforeach()
if(total_expect_lines EQUAL 0)
    message(FATAL_ERROR "${SOURCE}: no '// expect: <regex>' line; a compile-fail test must say "
                        "which diagnostic it expects")
endif()

# --- compile ------------------------------------------------------------------------------
string(REPLACE "|" ";" include_dirs "${INCLUDE_DIRS}")
string(REPLACE "|" ";" extra_flags "${FLAGS}")
set(command "${COMPILER}" -std=c++20 -fsyntax-only ${colour_flag} ${extra_flags})
foreach(dir IN LISTS include_dirs)
    if(NOT dir STREQUAL "")
        list(APPEND command "-I${dir}")
    endif()
endforeach()
list(APPEND command "${SOURCE}")

set(ENV{LC_ALL} C)
execute_process(COMMAND ${command}
                RESULT_VARIABLE result
                OUTPUT_VARIABLE output
                ERROR_VARIABLE output)

split_lines("${output}" output_lines)
list(LENGTH output_lines output_line_count)
if(output_line_count GREATER max_lines)
    list(SUBLIST output_lines 0 ${max_lines} shown_lines)
else()
    set(shown_lines "${output_lines}")
endif()

function(print_output)
    list(JOIN command " " command_text)
    set(text "")
    if(output_line_count EQUAL 0)
        set(text "    (no output)\n")
    endif()
    foreach(encoded IN LISTS shown_lines)
        decode_line("${encoded}" line)
        string(APPEND text "    ${line}\n")
    endforeach()
    if(output_line_count GREATER max_lines)
        math(EXPR hidden "${output_line_count} - ${max_lines}")
        string(APPEND text "    ... ${hidden} more lines\n")
    endif()
    message("command: ${command_text}\nexit status: ${result}\n"
            "first ${max_lines} lines of compiler output:\n${text}")
endfunction()

if(result EQUAL 0)
    print_output()
    message(FATAL_ERROR "${SOURCE} compiled, but it must be rejected")
endif()

# --- match --------------------------------------------------------------------------------
# Returns the 1-based number of the first line in `lines` matching `regex`, or 0.
function(find_line lines regex out)
    set(number 0)
    foreach(encoded IN LISTS lines)
        math(EXPR number "${number} + 1")
        decode_line("${encoded}" line)
        if(line MATCHES "${regex}")
            set(${out} ${number} PARENT_SCOPE)
            return()
        endif()
    endforeach()
    set(${out} 0 PARENT_SCOPE)
endfunction()

set(missed "")
if(expect_count GREATER 0)
    math(EXPR last "${expect_count} - 1")
    foreach(i RANGE ${last})
        find_line("${shown_lines}" "${expect_${i}}" found)
        if(found GREATER 0)
            continue()
        endif()
        find_line("${output_lines}" "${expect_${i}}" found_late)
        if(found_late GREATER 0)
            string(APPEND missed "  missed: ${expect_${i}}\n"
                                 "          (it matches line ${found_late}, past the first ${max_lines})\n")
        else()
            string(APPEND missed "  missed: ${expect_${i}}\n")
        endif()
    endforeach()
endif()

if(NOT missed STREQUAL "")
    print_output()
    message(FATAL_ERROR "${SOURCE} was rejected, but not with the expected diagnostics "
                        "(${compiler_tag}):\n${missed}")
endif()
message(STATUS "${SOURCE}: rejected as expected (${expect_count} expectations matched "
               "for ${compiler_tag})")
