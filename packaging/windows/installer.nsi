; Creator Studio for Windows: a per-user NSIS installer (no administrator rights), built by
; packaging/check-windows.sh with Debian's makensis. cargo-packager's own NSIS target downloads
; its NSIS plugins from GitHub at packaging time, which this project's build machines cannot
; reach, so the installer is written here, with only NSIS's built-in commands.
;
;   makensis -DVERSION=0.1.0 -DEXE=path/creator-studio.exe -DWORLDS=assets/worlds \
;            -DGRAPHS=examples/graphs -DOUT=target/packages/creator-studio_0.1.0_x64-setup.exe \
;            packaging/windows/installer.nsi

; A 64-bit installer (the program is 64-bit, and a 32-bit installer needs 32-bit Windows
; support, which a 64-bit-only Wine lacks).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "VERSION is not defined"
!endif

Name "Creator Studio"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\Creator Studio"
InstallDirRegKey HKCU "Software\Creator Studio" "InstallDir"
ShowInstDetails show
ShowUninstDetails show

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\CreatorStudio"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "Creator Studio" Main
  SetOutPath "$INSTDIR"
  File "/oname=creator-studio.exe" "${EXE}"
  ; The sample worlds (for `creator-studio world run`) and the graph templates as files.
  SetOutPath "$INSTDIR\worlds"
  File /r "${WORLDS}\*"
  SetOutPath "$INSTDIR\graphs"
  File /r "${GRAPHS}\*"
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortCut "$SMPROGRAMS\Creator Studio.lnk" "$INSTDIR\creator-studio.exe"
  WriteRegStr HKCU "Software\Creator Studio" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Creator Studio"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Creator Studio developers"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\Creator Studio.lnk"
  Delete "$INSTDIR\creator-studio.exe"
  RMDir /r "$INSTDIR\worlds"
  RMDir /r "$INSTDIR\graphs"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Creator Studio"
SectionEnd
