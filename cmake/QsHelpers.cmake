# qs_library(NAME SOURCES... [TORCH]): a project library with the house warnings and the repo
# root on the include path. TORCH links LibTorch and reuses the shared torch precompiled header.
function(qs_apply_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${QS_WARNINGS}>)
endfunction()

function(qs_use_torch_pch target)
  if(TARGET qs_torch_pch AND NOT QS_FUZZ)
    target_precompile_headers(${target} REUSE_FROM qs_torch_pch)
  endif()
endfunction()
