# The default rule set compiled into a library: screener_embed_default_rules(ROOT OUT) generates OUT,
# a C++ source holding the exact bytes of ROOT/rules/bac-ninh-234.yaml (see embed.cmake), again
# whenever the YAML changes. Used by engine/ and by the separate fuzz/ project.
function(screener_embed_default_rules root out)
  set(yaml ${root}/rules/bac-ninh-234.yaml)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${yaml} -DOUTPUT=${out} -P ${root}/cmake/embed.cmake
    DEPENDS ${yaml} ${root}/cmake/embed.cmake
    COMMENT "Embedding the default rule set")
endfunction()
