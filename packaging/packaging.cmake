# Installation layout and the Debian package (`make package`): executables in bin/, the
# project's shared libraries and method plugins in lib/quantiscope/ (found through a relative
# RUNPATH), the desktop entry, AppStream metainfo and icons under share/, the shipped models
# under share/quantiscope/resources.
include(GNUInstallDirs)
get_property(QS_PLUGIN_TARGETS GLOBAL PROPERTY QS_PLUGINS)
set(QS_APP_ID io.github.quantiscope.Quantiscope)

install(TARGETS quantiscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS qs_common qs_llm_text qs_llm qs_mri ${QS_PLUGIN_TARGETS} LIBRARY DESTINATION ${QS_INSTALL_LIBDIR})
if(TARGET qs_image_headers)
  install(TARGETS qs_image_headers LIBRARY DESTINATION ${QS_INSTALL_LIBDIR})
endif()
# The shipped models and data files (bundled_models(), resources_root()): the reference LLM,
# its tokenizer, the MRI slice split.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models ${PROJECT_SOURCE_DIR}/resources/mri DESTINATION ${CMAKE_INSTALL_DATADIR}/quantiscope/resources
        PATTERN "run" EXCLUDE)
if(QS_BUILD_GUI)
  install(TARGETS quantiscope-workbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/${QS_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/${QS_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/quantiscope.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
          RENAME ${QS_APP_ID}.svg)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/quantiscope.png DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps
          RENAME ${QS_APP_ID}.png)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME quantiscope)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Quantiscope")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Workbench for compressed generative models: 2-bit KV caches and MRI reconstruction")
set(CPACK_PACKAGE_DESCRIPTION "Chat with a language model whose KV cache is quantized to 2 bits next to a full-precision one, inspect the cache, and compare MRI reconstructions with fastMRI metrics.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Quantiscope developers <quantiscope@users.noreply.github.com>")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Dependencies come from the binaries themselves (dpkg-shlibdeps): LibTorch, Qt 6, ITK, HDF5...
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mricron-data, bart")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "${CPACK_DEBIAN_PACKAGE_MAINTAINER}")
include(CPack)
