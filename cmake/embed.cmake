# Turns the default rule-set YAML into a C++ source holding its exact bytes (so its sha256 matches the file).
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
get_filename_component(name ${INPUT} NAME)
file(WRITE ${OUTPUT} "// Generated from rules/${name} at build time; do not edit.\n#include <string_view>\nnamespace screener {\nnamespace {\nconstexpr char bytes[] = {${bytes} '\\0'};\n}\nextern const std::string_view default_rules_name = \"${name}\";\nextern const std::string_view default_rules_text{bytes, sizeof bytes - 1};\n}\n")
