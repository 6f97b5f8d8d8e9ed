# qs_library(NAME SOURCES... [TORCH]): a project library with the house warnings and the repo
# root on the include path. TORCH links LibTorch and reuses the shared torch precompiled header.
function(qs_apply_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${QS_WARNINGS}>)
endfunction()

function(qs_use_torch_pch target)
  if(TARGET qs_torch_pch AND NOT QS_FUZZ)
    target_precompile_headers(${target} REUSE_FROM qs_torch_pch)
    # The PCH is built -fPIC (for the shared libraries); executables default to -fPIE, which
    # makes GCC refuse the PCH. -fPIC objects link into a PIE executable just as well.
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      target_compile_options(${target} PRIVATE -fPIC)
    endif()
  endif()
endfunction()
