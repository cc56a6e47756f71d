# Warnings for every twinscale target; CI turns them into errors with TW_WERROR.
add_library(tw_warnings INTERFACE)
target_compile_options(tw_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
                          -Wmissing-prototypes -Wno-unused-parameter>
  $<$<AND:$<COMPILE_LANGUAGE:C>,$<BOOL:${TW_WERROR}>>:-Werror>
  $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall>
  $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<BOOL:${TW_WERROR}>>:-Werror=all-warnings>)

if(TW_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
