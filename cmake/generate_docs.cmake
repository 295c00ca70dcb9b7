# Writes what the built retort says about itself, for cmake --install and
# the .deb: the man page and the bash, zsh and fish completion scripts.
#   cmake -DRETORT=path/to/retort -DOUT=dir -P generate_docs.cmake
foreach(item "man;retort.1" "completion;bash;retort.bash"
             "completion;zsh;_retort" "completion;fish;retort.fish")
  list(POP_BACK item file)
  execute_process(COMMAND ${RETORT} ${item}
                  OUTPUT_FILE ${OUT}/${file}.tmp
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "retort ${item} failed (${rc})")
  endif()
  file(RENAME ${OUT}/${file}.tmp ${OUT}/${file})
endforeach()
