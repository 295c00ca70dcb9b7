# Writes OUTPUT, a C++ file defining `const std::string_view SYMBOL` in
# namespace retort with the text of INPUT (a Python script retort runs), so
# the program needs nothing beside it at run time.
#   cmake -DINPUT=in.py -DOUTPUT=out.cc -DSYMBOL=kName -P embed_text.cmake

# PythonWorker passes the script as one argument (`python -c <text>`), and
# Linux refuses to exec with an argument over 128 KiB (MAX_ARG_STRLEN): an
# over-long script would build and then fail at every run with E2BIG.
set(limit 122880)  # 120 KiB, leaving room below 128 KiB
file(SIZE "${INPUT}" size)
if(size GREATER limit)
  message(FATAL_ERROR "${INPUT} is ${size} bytes, over the limit of ${limit} "
          "bytes (120 KiB) for an embedded Python script: it is passed as one "
          "argument of `python -c` and Linux refuses an argument over 128 KiB "
          "(MAX_ARG_STRLEN). Make the script smaller, or change PythonWorker "
          "(src/python/python_worker.cc) to pass it another way.")
endif()
file(READ "${INPUT}" content)
string(FIND "${content}" ")RETORT_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )RETORT_EMBED\"")
endif()
set(text "// Generated from ${INPUT} by cmake/embed_text.cmake; do not edit.\n")
string(APPEND text "#include <string_view>\n\nnamespace retort {\n")
string(APPEND text "extern const std::string_view ${SYMBOL};\n")
string(APPEND text "const std::string_view ${SYMBOL} = R\"RETORT_EMBED(")
string(APPEND text "${content}")
string(APPEND text ")RETORT_EMBED\";\n}  // namespace retort\n")
# Rewrite only on change, so dependants do not rebuild for nothing.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${text}")
