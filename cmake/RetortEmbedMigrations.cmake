# retort_embed_migrations(<target> DIRECTORY <folder> [NAME <name>])
#
# Compiles the revision files (*.sql, recursively) of <folder> into
# <target>: the program gets them from `retort::embedded::<name>()`,
# declared in <retort_embedded/<name>.h>, and hands them to a Migrator in
# place of the folder (include/retort/migration_set.h). Adding, removing or
# changing a file rebuilds the set. <name> defaults to "app" and must be a
# C++ identifier.
set(RETORT_EMBED_MIGRATIONS_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/embed_migrations.cmake"
    CACHE INTERNAL "The generator retort_embed_migrations runs")

function(retort_embed_migrations target)
  cmake_parse_arguments(ARG "" "DIRECTORY;NAME" "" ${ARGN})
  if(NOT ARG_DIRECTORY)
    message(FATAL_ERROR "retort_embed_migrations(${target}): DIRECTORY <folder> is required")
  endif()
  if(NOT ARG_NAME)
    set(ARG_NAME app)
  endif()
  if(NOT ARG_NAME MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "retort_embed_migrations(${target}): NAME \"${ARG_NAME}\" "
                        "must be a C++ identifier (it names retort::embedded::${ARG_NAME}())")
  endif()
  get_filename_component(dir "${ARG_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "retort_embed_migrations(${target}): ${dir} is not a folder; "
                        "DIRECTORY names the folder of revision files, relative to "
                        "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${dir}/*.sql")
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/retort_embedded_${target}")
  set(cc "${out_dir}/retort_embedded_${ARG_NAME}.cc")
  set(h "${out_dir}/retort_embedded/${ARG_NAME}.h")
  add_custom_command(
    OUTPUT "${cc}" "${h}"
    COMMAND "${CMAKE_COMMAND}" "-DNAME=${ARG_NAME}" "-DDIR=${dir}"
            "-DOUTPUT_CC=${cc}" "-DOUTPUT_H=${h}"
            -P "${RETORT_EMBED_MIGRATIONS_SCRIPT}"
    DEPENDS ${files} "${RETORT_EMBED_MIGRATIONS_SCRIPT}"
    COMMENT "Embedding ${ARG_DIRECTORY} as retort::embedded::${ARG_NAME}()"
    VERBATIM)
  target_sources(${target} PRIVATE "${cc}" "${h}")
  target_include_directories(${target} PRIVATE "${out_dir}")
endfunction()
