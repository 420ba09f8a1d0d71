// Include first in every test file: LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#pragma once

#include <ATen/ATen.h>
#undef CHECK
#include <catch2/catch.hpp>
